"""Filing views: staff reports, Mina rapporter and the public complaint form (being built)."""

from django.http import Http404


def _todo(request, *args, **kwargs):
    raise Http404

deviation_create = _todo
deviation_receipt = _todo
deviation_mine = _todo
process_options = _todo
public_complaint = _todo
public_complaint_thanks = _todo

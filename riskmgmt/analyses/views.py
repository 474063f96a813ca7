from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse

from .selectors import analysis_get_for_user


@login_required
def analysis_detail(request, pk: int) -> HttpResponse:
    analysis = analysis_get_for_user(request.user, pk)
    return HttpResponse(analysis.reference)


def _todo(request, *args, **kwargs):
    raise Http404


analysis_list = _todo
analysis_create = _todo
analysis_save_report = _todo
timeline_entry_create = _todo
timeline_entry_edit = _todo
timeline_entry_delete = _todo
cause_create = _todo
cause_edit = _todo
cause_delete = _todo
analysis_transition = _todo

"""Stubs; the workshop views are being written."""

from django.http import Http404


def _todo(request, **kwargs):
    raise Http404


analysis_list = analysis_create = analysis_detail = risk_create = analysis_transition = _todo
analysis_carry_forward = risk_detail = risk_edit = _todo

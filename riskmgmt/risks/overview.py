"""Stubs; the overview views are being written."""

from django.http import Http404


def _todo(request, **kwargs):
    raise Http404


year_redirect = year_view = matrix_view = risk_list = compare_view = export = _todo

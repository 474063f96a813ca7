"""Stub; raising as risk is being written."""

from django.http import Http404


def risk_raise(request, **kwargs):
    raise Http404

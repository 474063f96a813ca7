"""The cause diagram, the timeline picture and the analysis report (being built)."""

from django.http import Http404


def _todo(request, *args, **kwargs):
    raise Http404


cause_diagram_svg = _todo
timeline_svg = _todo
analysis_report = _todo
analysis_report_pdf = _todo

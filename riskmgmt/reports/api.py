"""The kvalitetsberättelse over REST (API.md "Reports").

`GET /api/v1/reports/quality/?year=YYYY&unit=<id>` answers the facts as JSON; `&format=pdf|html|xlsx`
answers the same document as a file (the PDF is rendered in the request here: API clients wait).
A missing or bad year or unit is a 400 with the field's message; a unit outside the caller's
report scope (managers for what they manage, quality and management for what is under them) is 404.
"""

from __future__ import annotations

from django.http import HttpResponse
from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from riskmgmt.deviations.api import ERROR_400, ERROR_404

from .document import (
    XLSX_TYPE,
    document_filename,
    quality_context,
    render_html,
    render_pdf,
    render_xlsx,
)
from .facts import FIRST_YEAR, last_year_allowed, quality_facts, report_unit_get_for_user

MAX_ID = 2**63 - 1
FORMATS = ("json", "pdf", "html", "xlsx")
FOLLOWED = ("yes", "partly", "no")


class QualityQuerySerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=FIRST_YEAR)
    unit = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    format = serializers.ChoiceField(choices=FORMATS, required=False, default="json")

    def validate_year(self, value: int) -> int:
        last = last_year_allowed()
        if value > last:
            raise serializers.ValidationError(_("Välj ett år till och med %(year)s.") % {"year": last})
        return value


class DeviationCountSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    complaint = serializers.IntegerField()
    lex_sarah = serializers.IntegerField()
    other = serializers.IntegerField()


class LexSarahFactsSerializer(serializers.Serializer):
    reported = serializers.IntegerField()
    serious = serializers.IntegerField()
    notified_to_ivo = serializers.IntegerField()


class EventAnalysisFactsSerializer(serializers.Serializer):
    started = serializers.IntegerField()
    completed = serializers.IntegerField()


class RiskAnalysisFactsSerializer(serializers.Serializer):
    units_total = serializers.IntegerField()
    units_held = serializers.IntegerField()
    units_with_actions = serializers.IntegerField()
    approved = serializers.BooleanField()


class SupervisionFactsSerializer(serializers.Serializer):
    ivo = serializers.IntegerField()
    jo = serializers.IntegerField()
    court = serializers.IntegerField()
    audit = serializers.IntegerField()
    requirements_open = serializers.IntegerField()
    requirements_overdue = serializers.IntegerField()


class ActionFactsSerializer(serializers.Serializer):
    open = serializers.IntegerField()
    overdue = serializers.IntegerField()
    done = serializers.IntegerField()
    evaluated = serializers.IntegerField()


class InternalControlFactsSerializer(serializers.Serializer):
    planned = serializers.IntegerField()
    performed = serializers.IntegerField()
    with_findings = serializers.IntegerField()
    followed = serializers.ChoiceField(choices=FOLLOWED)


class QualityFactsSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    unit = serializers.IntegerField()
    deviation_counts = DeviationCountSerializer(many=True, help_text="year-3 .. year, efter reported_at.")
    lex_sarah = LexSarahFactsSerializer()
    event_analyses = EventAnalysisFactsSerializer()
    risk_analysis = RiskAnalysisFactsSerializer()
    supervision = SupervisionFactsSerializer()
    actions = ActionFactsSerializer()
    internal_control = InternalControlFactsSerializer()


class QualityReportApi(APIView):
    """The kvalitetsberättelse's facts (JSON), or the document. `format` is ours, not DRF's."""

    def perform_content_negotiation(self, request, force=False):
        # DRF would read ?format=pdf as a renderer choice and answer 404; errors stay JSON.
        return JSONRenderer(), JSONRenderer.media_type

    @extend_schema(
        operation_id="reports_quality",
        parameters=[
            OpenApiParameter("year", OpenApiTypes.INT, OpenApiParameter.QUERY, required=True,
                             description="Kalenderåret (svensk tid)."),
            OpenApiParameter("unit", OpenApiTypes.INT, OpenApiParameter.QUERY, required=True,
                             description="Enhetens id; berättelsen omfattar enheten och alla enheter under den."),
            OpenApiParameter("format", OpenApiTypes.STR, OpenApiParameter.QUERY, enum=FORMATS,
                             description="json (standard), eller dokumentet som pdf, html eller xlsx."),
        ],
        responses={
            (200, "application/json"): QualityFactsSerializer,
            (200, "application/pdf"): OpenApiTypes.BINARY,
            (200, "text/html"): OpenApiTypes.STR,
            (200, XLSX_TYPE): OpenApiTypes.BINARY,
            400: ERROR_400,
            404: ERROR_404,
        },
    )
    def get(self, request):
        query = QualityQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        year, wanted = query.validated_data["year"], query.validated_data["format"]
        unit = report_unit_get_for_user(request.user, query.validated_data["unit"])
        if wanted == "json":
            return Response(QualityFactsSerializer(quality_facts(unit, year)).data,
                            headers={"Cache-Control": "private, no-store"})
        context = quality_context(unit, year)
        if wanted == "pdf":
            response = HttpResponse(render_pdf(context), content_type="application/pdf")
        elif wanted == "xlsx":
            response = HttpResponse(render_xlsx(context), content_type=XLSX_TYPE)
        else:
            response = HttpResponse(render_html(context, request=request), content_type="text/html; charset=utf-8")
        if wanted != "html":
            response["Content-Disposition"] = f'attachment; filename="{document_filename(unit, year, wanted)}"'
        response["Cache-Control"] = "private, no-store"
        return response


api_urlpatterns = [
    path("reports/quality/", QualityReportApi.as_view(), name="report-quality"),
]

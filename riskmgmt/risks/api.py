"""Risk analyses and risks over REST (API.md "Risk analyses and risks").

Order of refusals on every write: 404 outside the caller's scope, 403 when the action is not
the caller's (the unit's managers run the analysis, the ledningsgrupp approves it), 400 for a
bad body, 409 when the status forbids it (a transition's guard, a risk added to an approved
analysis, next year's analysis already started). Domain input errors (`RiskValidationError`)
become `{"field": ["message"]}`. When the target is named in the body (`unit`, `analysis`),
one outside the caller's scope answers 400 on that field, as an unknown id does.
"""

from __future__ import annotations

import django_filters
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import generics, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from riskmgmt.actions.selectors import action_list_for_source
from riskmgmt.api.workflow import WorkflowSerializerMixin
from riskmgmt.core.personnummer import no_personal_number
from riskmgmt.deviations.api import (
    ERROR_400,
    ERROR_403,
    ERROR_404,
    ERROR_409,
    MAX_ID,
    TEXT_MAX,
    IdFilter,
    NamedChoiceField,
    StrictBooleanFilter,
    YearFilter,
)
from riskmgmt.organisation.models import Process, Unit
from riskmgmt.organisation.selectors import units_in_scope

from . import services
from .models import TRANSITION_NAMES, Level, Risk, RiskAnalysis, RiskMatrixSettings
from .rules import runs_analysis
from .selectors import (
    analysis_get_for_user,
    risk_get_for_user,
    risk_list_for_user,
    risks_with_level,
)

Perspective = RiskAnalysis.Perspective
YEAR_MIN, YEAR_MAX = 2000, 2100
SCORES = (1, 2, 3, 4)


def _id_field(**kwargs) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, **kwargs)


def _text_field(**kwargs) -> serializers.CharField:
    kwargs.setdefault("max_length", TEXT_MAX)
    return serializers.CharField(**kwargs)


def _score_field(**kwargs) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, max_value=4, **kwargs)


def _call(service, **kwargs):
    """Runs a service; its input errors answer 400 with the field, as API.md asks."""
    try:
        return service(**kwargs)
    except services.RiskValidationError as exc:
        raise serializers.ValidationError({field: [message] for field, message in exc.errors.items()}) from exc


def _source_type(risk: Risk) -> str | None:
    if not risk.source_content_type_id:
        return None
    return ContentType.objects.get_for_id(risk.source_content_type_id).model  # cached after the first


# ---------------------------------------------------------------- access

def _with_counts(qs: QuerySet[RiskAnalysis]) -> QuerySet[RiskAnalysis]:
    return qs.select_related("unit").annotate(
        risk_count=Count("risks", distinct=True),
        open_risk_count=Count("risks", filter=Q(risks__status=Risk.Status.OPEN), distinct=True),
    )


def analysis_list_for_user(user) -> QuerySet[RiskAnalysis]:
    """Analyses of the units the user works on or under (sees_analysis, in SQL)."""
    return RiskAnalysis.objects.filter(unit__in=units_in_scope(user))


# ---------------------------------------------------------------- risk serializers

RISK_TYPE = ("RiskTypeEnum", Risk.RiskType.choices)
PERSPECTIVE = ("RiskPerspectiveEnum", Perspective.choices)
LEVEL = ("RiskLevelEnum", Level.choices)
RISK_STATUS = ("RiskStatusEnum", Risk.Status.choices)


class RiskSummarySerializer(serializers.ModelSerializer):
    """A risk as the analysis's detail lists it."""

    risk_type = NamedChoiceField(*RISK_TYPE, read_only=True)
    perspective = NamedChoiceField(*PERSPECTIVE, read_only=True)
    level = NamedChoiceField(*LEVEL, read_only=True)
    status = NamedChoiceField(*RISK_STATUS, read_only=True)

    class Meta:
        model = Risk
        fields = ["id", "title", "process", "risk_type", "perspective", "probability", "consequence", "score",
                  "level", "residual_probability", "residual_consequence", "escalated", "status", "predecessor"]
        read_only_fields = fields


class RiskSerializer(RiskSummarySerializer):
    """A risk in the register: its scores, level, residual risk after actions, and where it came from."""

    unit = serializers.IntegerField(source="analysis.unit_id", read_only=True)
    year = serializers.IntegerField(source="analysis.year", read_only=True)
    residual_score = serializers.SerializerMethodField()
    residual_level = serializers.SerializerMethodField()
    source_type = serializers.SerializerMethodField()

    class Meta(RiskSummarySerializer.Meta):
        fields = [
            "id", "analysis", "unit", "year", "title", "description", "process", "risk_type", "perspective",
            "probability", "consequence", "score", "level", "residual_probability", "residual_consequence",
            "residual_score", "residual_level", "escalated", "escalation_reason", "status", "source_type",
            "source_id", "predecessor", "created", "modified",
        ]
        read_only_fields = fields

    def _matrix(self) -> RiskMatrixSettings:
        if "matrix" not in self.context:
            self.context["matrix"] = RiskMatrixSettings.current()
        return self.context["matrix"]

    def get_residual_score(self, risk) -> int | None:
        if risk.residual_probability is None or risk.residual_consequence is None:
            return None
        return risk.residual_probability * risk.residual_consequence

    @extend_schema_field(NamedChoiceField(*LEVEL, allow_null=True))
    def get_residual_level(self, risk) -> str | None:
        """The level after actions, once both residual scores are recorded."""
        if risk.residual_probability is None or risk.residual_consequence is None:
            return None
        return self._matrix().level_for(risk.residual_probability, risk.residual_consequence)

    def get_source_type(self, risk) -> str | None:
        """What the risk was raised from ("deviation", "requirement"), or null for one found in the workshop."""
        return _source_type(risk)


class RiskDetailSerializer(RiskSerializer):
    actions = serializers.SerializerMethodField()

    class Meta(RiskSerializer.Meta):
        fields = [*RiskSerializer.Meta.fields, "actions"]
        read_only_fields = fields

    def get_actions(self, risk) -> list[int]:
        """Ids of the risk's actions: /api/v1/actions/<id>/."""
        return list(action_list_for_source(risk).values_list("pk", flat=True))


# ---------------------------------------------------------------- analysis serializers

class RiskAnalysisListSerializer(WorkflowSerializerMixin, serializers.ModelSerializer):
    transition_names = TRANSITION_NAMES
    status = NamedChoiceField("RiskAnalysisStatusEnum", RiskAnalysis.Status.choices, read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    risk_count = serializers.IntegerField(read_only=True)
    open_risk_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = RiskAnalysis
        fields = [
            "id", "unit", "unit_name", "year", "planned_on", "held_on", "approved_on", "approved_by",
            "risk_count", "open_risk_count", "status", "created", "modified", "available_transitions",
        ]
        read_only_fields = fields


class LevelCountsSerializer(serializers.Serializer):
    low = serializers.IntegerField()
    medium = serializers.IntegerField()
    high = serializers.IntegerField()
    very_high = serializers.IntegerField()


class RiskAnalysisSerializer(RiskAnalysisListSerializer):
    """The detail (API.md): status, available_transitions, history, the workshop and its risks."""

    perspectives = serializers.ListField(child=NamedChoiceField(*PERSPECTIVE), read_only=True)
    participants = serializers.SerializerMethodField()
    previous = serializers.SerializerMethodField()
    next = serializers.SerializerMethodField()
    risks = serializers.SerializerMethodField()
    open_by_level = serializers.SerializerMethodField()

    class Meta(RiskAnalysisListSerializer.Meta):
        fields = [
            *RiskAnalysisListSerializer.Meta.fields[:-1], "participants", "participants_text", "perspectives",
            "notes", "approval_comment", "previous", "next", "open_by_level", "risks", "available_transitions",
            "history",
        ]
        read_only_fields = fields

    def _risks(self, analysis) -> list[Risk]:
        if getattr(analysis, "_api_risks", None) is None:
            analysis._api_risks = list(risks_with_level(analysis.risks.all()).order_by("-score", "pk"))
        return analysis._api_risks

    def get_participants(self, analysis) -> list[int]:
        """User ids of the workshop's participants; others are in `participants_text`."""
        return list(analysis.participants.order_by("pk").values_list("pk", flat=True))

    def _neighbour(self, analysis, year: int) -> int | None:
        return RiskAnalysis.objects.filter(unit_id=analysis.unit_id, year=year).values_list("pk", flat=True).first()

    def get_previous(self, analysis) -> int | None:
        """Last year's analysis of the unit, if there is one."""
        return self._neighbour(analysis, analysis.year - 1)

    def get_next(self, analysis) -> int | None:
        """Next year's analysis of the unit, once it is started (carry-forward)."""
        return self._neighbour(analysis, analysis.year + 1)

    @extend_schema_field(RiskSummarySerializer(many=True))
    def get_risks(self, analysis) -> list[dict]:
        return RiskSummarySerializer(self._risks(analysis), many=True).data

    @extend_schema_field(LevelCountsSerializer)
    def get_open_by_level(self, analysis) -> dict:
        """How many open risks there are at each level."""
        counts = dict.fromkeys(Level.values, 0)
        for risk in self._risks(analysis):
            if risk.status == Risk.Status.OPEN:
                counts[risk.level] += 1
        return counts


def _analysis_detail(request, analysis: RiskAnalysis) -> dict:
    """The detail of an analysis as stored now (with its counts)."""
    fresh = _with_counts(RiskAnalysis.objects.filter(pk=analysis.pk)).get()
    return RiskAnalysisSerializer(fresh, context={"request": request}).data


# ---------------------------------------------------------------- analyses: list, create, detail

class YearField(serializers.IntegerField):
    def __init__(self, **kwargs) -> None:
        super().__init__(min_value=YEAR_MIN, max_value=YEAR_MAX, **kwargs)


class RiskAnalysisCreateBody(serializers.Serializer):
    unit = _id_field()
    year = YearField()
    planned_on = serializers.DateField(required=False, allow_null=True)


class RiskAnalysisFilter(django_filters.FilterSet):
    unit = IdFilter(method="filter_unit", help_text=gettext_lazy("Enheten och allt under den."))
    year = YearFilter()
    status = django_filters.ChoiceFilter(choices=RiskAnalysis.Status.choices)

    class Meta:
        model = RiskAnalysis
        fields = ["unit", "year", "status"]

    def filter_unit(self, qs, name, value):
        unit = Unit.objects.filter(pk=value).first()
        return qs.filter(unit__path__startswith=unit.path) if unit else qs.none()


class RiskAnalysisListCreateApi(generics.ListCreateAPIView):
    filterset_class = RiskAnalysisFilter

    def get_serializer_class(self):
        return RiskAnalysisListSerializer if self.request.method == "GET" else RiskAnalysisSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema is built without a database
            return RiskAnalysis.objects.none()
        return _with_counts(analysis_list_for_user(self.request.user)).order_by("-year", "unit__path", "pk")

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "omit_history": True}

    @extend_schema(responses={200: RiskAnalysisListSerializer(many=True), 400: ERROR_400})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(request=RiskAnalysisCreateBody,
                   responses={201: RiskAnalysisSerializer, 400: ERROR_400, 403: ERROR_403},
                   description="Planera enhetens riskanalys för ett år (enhetens chef). En per enhet och år: "
                               "en andra ger 400 på `year`.")
    def post(self, request):
        body = RiskAnalysisCreateBody(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        # One answer for a unit that does not exist and one outside the caller's scope.
        unit = units_in_scope(request.user).filter(pk=data["unit"]).first()
        if unit is None:
            raise serializers.ValidationError({"unit": [_("Enheten finns inte i ditt ansvarsområde.")]})
        analysis = _call(services.risk_analysis_create, actor=request.user, unit=unit, year=data["year"],
                         planned_on=data.get("planned_on"))
        return Response(_analysis_detail(request, analysis), status=status.HTTP_201_CREATED)


class RiskAnalysisDetailApi(APIView):
    @extend_schema(responses={200: RiskAnalysisSerializer, 404: ERROR_404})
    def get(self, request, pk: int):
        return Response(_analysis_detail(request, analysis_get_for_user(request.user, pk)))


# ---------------------------------------------------------------- transitions

class HoldBody(serializers.Serializer):
    """All optional: what the workshop still lacks answers 409 with `missing`."""

    held_on = serializers.DateField(required=False, allow_null=True, default=None)
    participants = serializers.ListField(child=_id_field(), required=False, default=list, max_length=200,
                                         help_text=gettext_lazy("Deltagarnas användar-id."))
    participants_text = _text_field(required=False, allow_blank=True, default="", max_length=5000,
                                    validators=[no_personal_number], help_text=gettext_lazy("Deltagare utan konto, t.ex. ”två socialsekreterare”."))
    perspectives = serializers.ListField(child=NamedChoiceField(*PERSPECTIVE), required=False, default=list,
                                         max_length=10)

    def validate_participants(self, ids):
        ids = list(dict.fromkeys(ids))
        # Active people who work in the organisation; anyone else is a 400 on the field.
        found = list(get_user_model().objects.filter(pk__in=ids, is_active=True, memberships__is_active=True)
                     .distinct())
        if len(found) != len(ids):
            raise serializers.ValidationError(_("Personen finns inte eller arbetar inte i organisationen."))
        return found


class ApproveBody(serializers.Serializer):
    comment = _text_field(required=False, allow_blank=True, default="", validators=[no_personal_number])


ANALYSIS_TRANSITIONS = {
    "hold": (HoldBody, lambda a, u, **d: services.risk_analysis_hold(
        analysis=a, actor=u, held_on=d["held_on"], participants=d["participants"],
        participants_text=d["participants_text"], perspectives=list(dict.fromkeys(d["perspectives"])))),
    "approve": (ApproveBody, lambda a, u, **d: services.risk_analysis_approve(analysis=a, actor=u, **d)),
}


def _may_take(analysis, name: str, user) -> bool:
    """Whether the transition is the user's to take at all, whatever the current status:
    a 403 comes before the body's 400 and the status's 409."""
    meta = getattr(getattr(analysis, name, None), "_django_fsm", None)
    return meta is not None and any(t.has_perm(analysis, user) for t in meta.transitions.values())


@extend_schema(
    request=inline_serializer("RiskAnalysisTransitionBody", fields={
        "held_on": serializers.DateField(required=False),
        "participants": serializers.ListField(child=serializers.IntegerField(), required=False),
        "participants_text": serializers.CharField(required=False),
        "perspectives": serializers.ListField(child=NamedChoiceField(*PERSPECTIVE), required=False),
        "comment": serializers.CharField(required=False),
    }),
    parameters=[OpenApiParameter("name", OpenApiTypes.STR, OpenApiParameter.PATH, enum=TRANSITION_NAMES)],
    responses={200: RiskAnalysisSerializer, 400: ERROR_400, 403: ERROR_403, 404: ERROR_404, 409: ERROR_409},
    description="hold {held_on, participants: [user ids] | participants_text, perspectives} (enhetens chef; "
                "det som saknas ger 409 med `missing`); approve {comment?} (ledningsgruppen).",
)
class RiskAnalysisTransitionApi(APIView):
    def get_serializer_class(self):  # for the schema
        return RiskAnalysisSerializer

    def post(self, request, pk: int, name: str):
        analysis = analysis_get_for_user(request.user, pk)
        if name not in ANALYSIS_TRANSITIONS:
            raise Http404
        if not _may_take(analysis, name, request.user):
            raise PermissionDenied(_("Du har inte behörighet att göra detta."))
        body_class, run = ANALYSIS_TRANSITIONS[name]
        body = body_class(data=request.data)
        body.is_valid(raise_exception=True)
        _call(run, a=analysis, u=request.user, **body.validated_data)
        return Response(_analysis_detail(request, analysis))


class RiskAnalysisCarryForwardApi(APIView):
    @extend_schema(
        request=None,
        responses={201: RiskAnalysisSerializer, 403: ERROR_403, 404: ERROR_404, 409: ERROR_409},
        description="Starta nästa års riskanalys (planerad) med varje risk som inte är stängd kopierad och "
                    "länkad till sin föregångare (enhetens chef). Finns nästa års analys redan: 409 "
                    "(`transition_not_allowed`, `missing: [\"year\"]`).",
    )
    def post(self, request, pk: int):
        analysis = analysis_get_for_user(request.user, pk)
        new = _call(services.risk_analysis_carry_forward, analysis=analysis, actor=request.user)
        return Response(_analysis_detail(request, new), status=status.HTTP_201_CREATED)


# ---------------------------------------------------------------- the matrix

class MatrixCellSerializer(serializers.Serializer):
    probability = serializers.IntegerField()
    consequence = serializers.IntegerField()
    count = serializers.IntegerField()
    level = NamedChoiceField(*LEVEL)


MATRIX_STATUSES = ("open", "closed", "all")


class RiskAnalysisMatrixApi(APIView):
    @extend_schema(
        parameters=[OpenApiParameter("status", OpenApiTypes.STR, OpenApiParameter.QUERY, enum=MATRIX_STATUSES,
                                     description="Vilka risker som räknas: open (standard), closed eller all.")],
        responses={200: inline_serializer("RiskMatrix", fields={
            "analysis": serializers.IntegerField(), "cells": MatrixCellSerializer(many=True)}),
            400: ERROR_400, 404: ERROR_404},
        description="Riskmatrisen: alla 16 rutor (sannolikhet 1–4 × konsekvens 1–4) med antal risker och nivå.",
    )
    def get(self, request, pk: int):
        analysis = analysis_get_for_user(request.user, pk)
        wanted = request.query_params.get("status", "open")
        if wanted not in MATRIX_STATUSES:
            raise serializers.ValidationError({"status": [_("Välj open, closed eller all.")]})
        risks = analysis.risks.all() if wanted == "all" else analysis.risks.filter(status=wanted)
        counts = {(row["probability"], row["consequence"]): row["n"]
                  for row in risks.values("probability", "consequence").annotate(n=Count("pk")).order_by()}
        matrix = RiskMatrixSettings.current()
        cells = [{"probability": p, "consequence": k, "count": counts.get((p, k), 0), "level": matrix.level_for(p, k)}
                 for p in SCORES for k in SCORES]
        return Response({"analysis": analysis.pk, "cells": cells})


# ---------------------------------------------------------------- risks

class RiskCreateBody(serializers.Serializer):
    analysis = _id_field()
    title = serializers.CharField(max_length=200)
    description = _text_field(required=False, allow_blank=True, default="")
    process = _id_field(required=False, allow_null=True, default=None)
    risk_type = NamedChoiceField(*RISK_TYPE)
    perspective = NamedChoiceField(*PERSPECTIVE)
    probability = _score_field()
    consequence = _score_field()


class RiskPatchBody(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    description = _text_field(allow_blank=True)
    process = _id_field(allow_null=True)
    probability = _score_field()
    consequence = _score_field()
    residual_probability = _score_field(allow_null=True)
    residual_consequence = _score_field(allow_null=True)
    escalated = serializers.BooleanField()
    escalation_reason = _text_field(allow_blank=True)
    status = NamedChoiceField(*RISK_STATUS)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, partial=True, **kwargs)


def _process_of(analysis: RiskAnalysis, process_id: int | None) -> Process | None:
    if process_id is None:
        return None
    # The same answer for an unknown process and another unit's.
    process = Process.objects.filter(pk=process_id, unit_id=analysis.unit_id).first()
    if process is None:
        raise serializers.ValidationError({"process": [_("Processen hör inte till enheten.")]})
    return process


class RiskFilter(django_filters.FilterSet):
    analysis = IdFilter(field_name="analysis_id")
    unit = IdFilter(method="filter_unit", help_text=gettext_lazy("Enheten och allt under den."))
    process = IdFilter(field_name="process_id")
    level = django_filters.ChoiceFilter(choices=Level.choices, field_name="risk_level")
    status = django_filters.ChoiceFilter(choices=Risk.Status.choices)
    year = YearFilter(field_name="analysis__year")
    escalated = StrictBooleanFilter(method="filter_escalated", help_text=gettext_lazy("Lyfta till sektionen."))

    class Meta:
        model = Risk
        fields = ["analysis", "unit", "process", "level", "status", "year", "escalated"]

    def filter_unit(self, qs, name, value):
        unit = Unit.objects.filter(pk=value).first()
        return qs.filter(analysis__unit__path__startswith=unit.path) if unit else qs.none()

    def filter_escalated(self, qs, name, value):
        return qs.filter(escalated=value in ("true", "1"))


def _risk_detail(request, risk: Risk) -> dict:
    fresh = risks_with_level(Risk.objects.filter(pk=risk.pk).select_related("analysis")).get()
    return RiskDetailSerializer(fresh, context={"request": request}).data


class RiskListCreateApi(generics.ListCreateAPIView):
    filterset_class = RiskFilter

    def get_serializer_class(self):
        return RiskSerializer if self.request.method == "GET" else RiskDetailSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema is built without a database
            return Risk.objects.none()
        return risks_with_level(risk_list_for_user(self.request.user)).select_related("analysis").order_by(
            "-analysis__year", "analysis__unit__path", "-score", "pk")

    @extend_schema(responses={200: RiskSerializer(many=True), 400: ERROR_400})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(request=RiskCreateBody,
                   responses={201: RiskDetailSerializer, 400: ERROR_400, 403: ERROR_403, 409: ERROR_409},
                   description="En risk i en planerad eller genomförd riskanalys (enhetens chef). En godkänd "
                               "analys tar inte emot nya risker (409).")
    def post(self, request):
        body = RiskCreateBody(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        analysis = analysis_list_for_user(request.user).select_related("unit").filter(pk=data.pop("analysis")).first()
        if analysis is None:
            raise serializers.ValidationError({"analysis": [_("Riskanalysen finns inte i ditt ansvarsområde.")]})
        if not runs_analysis(request.user, analysis):
            raise PermissionDenied(_("Risker läggs till av enhetens chef."))
        data["process"] = _process_of(analysis, data["process"])
        risk = _call(services.risk_add, analysis=analysis, actor=request.user, **data)
        return Response(_risk_detail(request, risk), status=status.HTTP_201_CREATED)


class RiskDetailApi(APIView):
    @extend_schema(responses={200: RiskDetailSerializer, 404: ERROR_404})
    def get(self, request, pk: int):
        return Response(_risk_detail(request, risk_get_for_user(request.user, pk)))

    @extend_schema(request=RiskPatchBody,
                   responses={200: RiskDetailSerializer, 400: ERROR_400, 403: ERROR_403, 404: ERROR_404},
                   description="Ändra risken (enhetens chef): ny bedömning, kvarvarande risk efter åtgärder "
                               "(`residual_probability`, `residual_consequence`), lyft till sektionen "
                               "(`escalated` med `escalation_reason`) eller stäng den (`\"status\": \"closed\"`; "
                               "bara öppna risker följer med till nästa år). Fält som utelämnas behålls.")
    def patch(self, request, pk: int):
        risk = risk_get_for_user(request.user, pk)
        if not runs_analysis(request.user, risk.analysis):
            raise PermissionDenied(_("Risker ändras av enhetens chef."))
        body = RiskPatchBody(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        if "process" in data:
            data["process"] = _process_of(risk.analysis, data["process"])
        _call(services.risk_update, risk=risk, actor=request.user, **data)
        return Response(_risk_detail(request, risk))


api_urlpatterns = [
    path("risk-analyses/", RiskAnalysisListCreateApi.as_view(), name="risk-analysis-list"),
    path("risk-analyses/<int:pk>/", RiskAnalysisDetailApi.as_view(), name="risk-analysis-detail"),
    path("risk-analyses/<int:pk>/transitions/<slug:name>/", RiskAnalysisTransitionApi.as_view(),
         name="risk-analysis-transition"),
    path("risk-analyses/<int:pk>/carry-forward/", RiskAnalysisCarryForwardApi.as_view(),
         name="risk-analysis-carry-forward"),
    path("risk-analyses/<int:pk>/matrix/", RiskAnalysisMatrixApi.as_view(), name="risk-analysis-matrix"),
    path("risks/", RiskListCreateApi.as_view(), name="risk-list"),
    path("risks/<int:pk>/", RiskDetailApi.as_view(), name="risk-detail"),
]

"""Event analyses (händelseanalyser) over REST (API.md "Event analyses").

Order of refusals on every write: 404 outside the caller's scope, 403 when the action is not
the caller's (commissioning is for section managers and management; the timeline, the causes
and the report texts are for the lead and the team), 400 for a bad body, 409 when the status
forbids it (a transition's guard, or content of an analysis that is already handed in).
Domain input errors (`AnalysisValidationError`) become `{"field": ["message"]}`.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpResponse
from django.utils import timezone
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
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from riskmgmt.actions.models import Action
from riskmgmt.actions.selectors import action_list_for_source
from riskmgmt.api.workflow import TransitionApi, TransitionSpec, WorkflowSerializerMixin
from riskmgmt.core.errors import ApplicationError
from riskmgmt.deviations.api import ERROR_400, ERROR_403, ERROR_404, ERROR_409
from riskmgmt.deviations.selectors import deviation_list_for_user
from riskmgmt.organisation.models import Membership, Unit
from riskmgmt.organisation.selectors import units_in_scope, user_has_role

from . import services
from .models import TRANSITION_NAMES, Cause, EventAnalysis, TimelineEntry
from .report import report_filename, report_html, report_pdf
from .report_views import wants_roles
from .rules import can_commission_for_unit, can_work_on
from .selectors import analysis_get_for_user, analysis_list_for_user

MAX_ID = 2**63 - 1  # a bigger id would overflow the database (a 500), so it is a 400
TEXT_MAX = 100_000  # free text; the model has no bound, the API keeps bodies sane
GUARD_FACTS = ("has_timeline", "has_root_cause_with_area", "has_proposed_actions", "all_actions_evaluated")


class AnalysisLockedError(ApplicationError):
    """The content of a handed-in analysis cannot change any more."""

    status_code = 409
    code = "analysis_locked"


def _id_field(**kwargs) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, **kwargs)


def _text_field(**kwargs) -> serializers.CharField:
    kwargs.setdefault("max_length", TEXT_MAX)
    return serializers.CharField(**kwargs)


def _call(service, **kwargs):
    """Runs a service; its input errors answer 400 with the field, as API.md asks."""
    try:
        return service(**kwargs)
    except services.AnalysisValidationError as exc:
        raise serializers.ValidationError({field: [message] for field, message in exc.errors.items()}) from exc


def _guard_fact_annotations() -> dict:
    """What the transition guards need, as subqueries: a list is one query, not four a row."""
    analysis_type = ContentType.objects.get_for_model(EventAnalysis)
    live_actions = Action.objects.filter(source_content_type=analysis_type, source_id=OuterRef("pk")).exclude(
        status=Action.Status.CANCELLED)
    return {
        "has_timeline": Exists(TimelineEntry.objects.filter(analysis=OuterRef("pk"))),
        "has_root_cause_with_area": Exists(Cause.objects.filter(analysis=OuterRef("pk"), is_root=True,
                                                                cause_areas__isnull=False)),
        "has_proposed_actions": Exists(live_actions),
        "all_actions_evaluated": ~Exists(live_actions.exclude(status=Action.Status.EVALUATED)),
    }


def _load_guard_facts(analysis: EventAnalysis) -> EventAnalysis:
    """Sets the facts the guards read, so `available_transitions` tells the truth."""
    facts = EventAnalysis.objects.filter(pk=analysis.pk).annotate(**_guard_fact_annotations()).values(
        *GUARD_FACTS).first() or {}
    for name, value in facts.items():
        setattr(analysis, name, value)
    return analysis


def _check_editable(analysis: EventAnalysis) -> None:
    if analysis.status not in services.EDITABLE_STATUSES:
        raise AnalysisLockedError(_("Analysen är inlämnad och kan inte längre ändras."))


def _work_gate(user, pk) -> EventAnalysis:
    """The analysis for a change to its content: 404 outside scope, 403 unless lead or team."""
    analysis = analysis_get_for_user(user, pk)
    if not can_work_on(user, analysis):
        raise PermissionDenied(_("Bara analysledaren och analysteamet arbetar i analysen."))
    return analysis


# ---------------------------------------------------------------- content serializers

class TimelineEntrySerializer(serializers.ModelSerializer):
    class Meta:
        model = TimelineEntry
        fields = ["id", "at", "approximate", "description", "source"]
        read_only_fields = fields


class TimelineEntryBody(serializers.Serializer):
    at = serializers.DateTimeField()
    description = _text_field()
    source = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    approximate = serializers.BooleanField(required=False, default=False)

    def validate_at(self, value):
        if value > timezone.now():
            raise serializers.ValidationError(_("Tidslinjen beskriver det som har hänt; tiden kan inte ligga "
                                                "i framtiden."))
        if value.year < 1900:
            raise serializers.ValidationError(_("Ange ett år från 1900 och framåt."))
        return value


class CauseSerializer(serializers.ModelSerializer):
    cause_areas = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

    class Meta:
        model = Cause
        fields = ["id", "text", "parent", "is_root", "cause_areas"]
        read_only_fields = fields


class CauseBody(serializers.Serializer):
    text = _text_field()
    parent = _id_field(required=False, allow_null=True, default=None,
                       help_text=gettext_lazy("Orsaken som den här svarar ”varför?” på; null för en ny kedja."))
    cause_areas = serializers.ListField(child=serializers.CharField(max_length=40), required=False, default=list,
                                        max_length=50, help_text=gettext_lazy("Orsaksområdenas koder."))
    is_root = serializers.BooleanField(required=False, default=False)


def _parent(analysis: EventAnalysis, parent_id: int | None) -> Cause | None:
    if parent_id is None:
        return None
    parent = analysis.causes.filter(pk=parent_id).first()
    if parent is None:
        raise serializers.ValidationError({"parent": [_("Orsaken finns inte i den här analysen.")]})
    return parent


# ---------------------------------------------------------------- analysis serializers

class TeamMemberSerializer(serializers.Serializer):
    user = serializers.IntegerField(source="user_id")
    full_name = serializers.CharField(source="user.full_name")
    profession = serializers.CharField()


class EventAnalysisListSerializer(WorkflowSerializerMixin, serializers.ModelSerializer):
    """A list row (no history, timeline or causes)."""

    transition_names = TRANSITION_NAMES
    is_overdue = serializers.BooleanField(read_only=True)

    class Meta:
        model = EventAnalysis
        fields = [
            "id", "reference", "title", "unit", "commissioner", "lead", "due_date", "status", "is_overdue",
            "created", "modified", "submitted_at", "decided_at", "followed_up_at", "available_transitions",
        ]
        read_only_fields = fields


class EventAnalysisSerializer(EventAnalysisListSerializer):
    """The detail (API.md): status, available_transitions, history, team, timeline, causes, warnings."""

    deviations = serializers.SerializerMethodField()
    team = serializers.SerializerMethodField()
    team_members = serializers.SerializerMethodField()
    timeline = serializers.SerializerMethodField()
    causes = serializers.SerializerMethodField()
    actions = serializers.SerializerMethodField()
    warnings = serializers.SerializerMethodField()

    class Meta(EventAnalysisListSerializer.Meta):
        fields = [
            *EventAnalysisListSerializer.Meta.fields[:6], "deviations", "scope", "team", "team_members",
            *EventAnalysisListSerializer.Meta.fields[6:-1],
            "method", "summary", "event_description", "lessons", "recurrence_probability",
            "recurrence_consequence", "decision_comment", "feedback_given_on", "follow_up_comment",
            "cancel_reason", "timeline", "causes", "actions", "warnings", "available_transitions", "history",
        ]
        read_only_fields = fields

    def to_representation(self, instance):
        _load_guard_facts(instance)
        return super().to_representation(instance)

    def _members(self, analysis):
        return list(analysis.team.select_related("user").order_by("pk"))

    def get_deviations(self, analysis) -> list[int]:
        return list(analysis.deviations.order_by("pk").values_list("pk", flat=True))

    def get_team(self, analysis) -> list[int]:
        """The team's user ids (as in the create body); `team_members` has names and professions."""
        return [member.user_id for member in self._members(analysis)]

    @extend_schema_field(TeamMemberSerializer(many=True))
    def get_team_members(self, analysis) -> list[dict]:
        return TeamMemberSerializer(self._members(analysis), many=True).data

    @extend_schema_field(TimelineEntrySerializer(many=True))
    def get_timeline(self, analysis) -> list[dict]:
        return TimelineEntrySerializer(analysis.timeline.order_by("at", "pk"), many=True).data

    @extend_schema_field(CauseSerializer(many=True))
    def get_causes(self, analysis) -> list[dict]:
        causes = analysis.causes.prefetch_related("cause_areas").order_by("pk")
        return CauseSerializer(causes, many=True).data

    def get_actions(self, analysis) -> list[int]:
        """Ids of the analysis's actions (proposed and decided): /api/v1/actions/<id>/."""
        return list(action_list_for_source(analysis).values_list("pk", flat=True))

    def get_warnings(self, analysis) -> list[str]:
        return services.analysis_warnings(analysis)


# ---------------------------------------------------------------- create and list

class EventAnalysisCreateBody(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    unit = _id_field()
    deviations = serializers.ListField(child=_id_field(), required=False, default=list, max_length=100)
    scope = _text_field(help_text=gettext_lazy("Uppdrag och avgränsning."))
    commissioner = _id_field(required=False, allow_null=True,
                             help_text=gettext_lazy("Uppdragsgivaren; utan värde den som beställer."))
    lead = _id_field()
    team = serializers.ListField(child=_id_field(), required=False, default=list, max_length=20,
                                 help_text=gettext_lazy("Analysteamets användar-id; yrket hämtas från befattningen."))
    due_date = serializers.DateField(required=False, allow_null=True,
                                     help_text=gettext_lazy("Rapport senast; utan värde 8 veckor (inställning)."))


def _people(ids: list[int], field: str) -> dict[int, object]:
    """Active users who work in the organisation (an active role anywhere), by id; 400 otherwise."""
    found = {user.pk: user for user in get_user_model().objects.filter(
        pk__in=ids, is_active=True, memberships__is_active=True).distinct()}
    if set(ids) - set(found):
        raise serializers.ValidationError({field: [_("Personen finns inte eller arbetar inte i organisationen.")]})
    return found


class _IdFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField


class EventAnalysisFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=[("open", gettext_lazy("Öppna")), *EventAnalysis.Status.choices],
                                         method="filter_status")
    unit = _IdFilter(method="filter_unit", min_value=1, max_value=MAX_ID,
                     help_text=gettext_lazy("Enheten och allt under den."))

    class Meta:
        model = EventAnalysis
        fields = ["status", "unit"]

    def filter_status(self, qs, name, value):
        if value == "open":
            return qs.filter(status__in=EventAnalysis.OPEN_STATUSES)
        return qs.filter(status=value)

    def filter_unit(self, qs, name, value):
        unit = Unit.objects.filter(pk=value).first()
        return qs.filter(unit__path__startswith=unit.path) if unit else qs.none()


class EventAnalysisListCreateApi(generics.ListCreateAPIView):
    filterset_class = EventAnalysisFilter

    def get_serializer_class(self):
        return EventAnalysisListSerializer if self.request.method == "GET" else EventAnalysisSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema is built without a database
            return EventAnalysis.objects.none()
        return analysis_list_for_user(self.request.user).annotate(**_guard_fact_annotations()).order_by(
            "-created", "-pk")

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "omit_history": True}

    @extend_schema(responses={200: EventAnalysisListSerializer(many=True), 400: ERROR_400})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(request=EventAnalysisCreateBody,
                   responses={201: EventAnalysisSerializer, 400: ERROR_400, 403: ERROR_403},
                   description="Beställ en händelseanalys: sektionschef eller ledningsgrupp för enheten.")
    def post(self, request):
        user = request.user
        if not user_has_role(user, [Membership.Role.SECTION_MANAGER, Membership.Role.MANAGEMENT]):
            raise PermissionDenied(_("Händelseanalyser beställs av sektionschef eller ledningsgrupp."))
        body = EventAnalysisCreateBody(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        # One answer for a unit that does not exist and one outside the caller's scope.
        unit = units_in_scope(user).filter(pk=data["unit"]).first()
        if unit is None:
            raise serializers.ValidationError({"unit": [_("Enheten finns inte i ditt ansvarsområde.")]})
        if not can_commission_for_unit(user, unit):
            raise PermissionDenied(_("Händelseanalyser beställs av sektionschef eller ledningsgrupp för enheten."))
        commissioner = _people([data["commissioner"]], "commissioner")[data["commissioner"]] \
            if data.get("commissioner") else user
        lead = _people([data["lead"]], "lead")[data["lead"]]
        team_ids = list(dict.fromkeys(data["team"]))
        members = _people(team_ids, "team")
        deviation_ids = set(data["deviations"])
        deviations = list(deviation_list_for_user(user).filter(pk__in=deviation_ids))
        if len(deviations) != len(deviation_ids):
            raise serializers.ValidationError({"deviations": [_("Avvikelsen finns inte i ditt ansvarsområde.")]})
        analysis = _call(services.analysis_create, actor=user, title=data["title"], unit=unit, scope=data["scope"],
                         commissioner=commissioner, lead=lead, deviations=deviations,
                         team=[(members[pk], members[pk].job_title) for pk in team_ids],
                         due_date=data.get("due_date"))
        return Response(EventAnalysisSerializer(analysis, context={"request": request}).data,
                        status=status.HTTP_201_CREATED)


# ---------------------------------------------------------------- detail and report texts

class ReportTextsBody(serializers.Serializer):
    method = _text_field(required=False, allow_blank=True)
    summary = _text_field(required=False, allow_blank=True)
    event_description = _text_field(required=False, allow_blank=True)
    lessons = _text_field(required=False, allow_blank=True)
    recurrence_probability = serializers.IntegerField(min_value=1, max_value=4, required=False, allow_null=True)
    recurrence_consequence = serializers.IntegerField(min_value=1, max_value=4, required=False, allow_null=True)


class EventAnalysisDetailApi(APIView):
    @extend_schema(responses={200: EventAnalysisSerializer, 404: ERROR_404})
    def get(self, request, pk: int):
        analysis = analysis_get_for_user(request.user, pk)
        return Response(EventAnalysisSerializer(analysis, context={"request": request}).data)

    @extend_schema(request=ReportTextsBody,
                   responses={200: EventAnalysisSerializer, 400: ERROR_400, 403: ERROR_403, 404: ERROR_404,
                              409: ERROR_409},
                   description="Rapportens texter medan analysen pågår (analysledare och team).")
    def patch(self, request, pk: int):
        analysis = _work_gate(request.user, pk)
        body = ReportTextsBody(data=request.data)
        body.is_valid(raise_exception=True)
        _check_editable(analysis)
        _call(services.analysis_save_report, analysis=analysis, actor=request.user, **body.validated_data)
        return Response(EventAnalysisSerializer(analysis, context={"request": request}).data)


# ---------------------------------------------------------------- timeline

class TimelineListCreateApi(generics.ListCreateAPIView):
    serializer_class = TimelineEntrySerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no analysis
            return TimelineEntry.objects.none()
        analysis = analysis_get_for_user(self.request.user, self.kwargs["pk"])
        return TimelineEntry.objects.filter(analysis=analysis).order_by("at", "pk")

    @extend_schema(request=TimelineEntryBody,
                   responses={201: TimelineEntrySerializer, 400: ERROR_400, 403: ERROR_403, 404: ERROR_404,
                              409: ERROR_409})
    def post(self, request, pk: int):
        analysis = _work_gate(request.user, pk)
        body = TimelineEntryBody(data=request.data)
        body.is_valid(raise_exception=True)
        _check_editable(analysis)
        entry = _call(services.timeline_entry_save, analysis=analysis, actor=request.user, **body.validated_data)
        return Response(TimelineEntrySerializer(entry).data, status=status.HTTP_201_CREATED)


class TimelineEntryPatchBody(TimelineEntryBody):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, partial=True, **kwargs)


class TimelineEntryApi(APIView):
    def _entry(self, analysis, entry_pk) -> TimelineEntry:
        entry = TimelineEntry.objects.filter(analysis=analysis, pk=entry_pk).first()
        if entry is None:
            raise Http404
        return entry

    @extend_schema(responses={200: TimelineEntrySerializer, 404: ERROR_404})
    def get(self, request, pk: int, entry_pk: int):
        entry = self._entry(analysis_get_for_user(request.user, pk), entry_pk)
        return Response(TimelineEntrySerializer(entry).data)

    @extend_schema(request=TimelineEntryBody,
                   responses={200: TimelineEntrySerializer, 400: ERROR_400, 403: ERROR_403, 404: ERROR_404,
                              409: ERROR_409})
    def patch(self, request, pk: int, entry_pk: int):
        analysis = _work_gate(request.user, pk)
        entry = self._entry(analysis, entry_pk)
        body = TimelineEntryPatchBody(data=request.data)
        body.is_valid(raise_exception=True)
        _check_editable(analysis)
        fields = {"at": entry.at, "description": entry.description, "source": entry.source,
                  "approximate": entry.approximate, **body.validated_data}
        entry = _call(services.timeline_entry_save, analysis=analysis, actor=request.user, entry=entry, **fields)
        return Response(TimelineEntrySerializer(entry).data)

    @extend_schema(responses={204: None, 403: ERROR_403, 404: ERROR_404, 409: ERROR_409})
    def delete(self, request, pk: int, entry_pk: int):
        analysis = _work_gate(request.user, pk)
        entry = self._entry(analysis, entry_pk)
        _check_editable(analysis)
        _call(services.timeline_entry_delete, entry=entry, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


# ---------------------------------------------------------------- causes (the why-chains)

class CauseListCreateApi(generics.ListCreateAPIView):
    serializer_class = CauseSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no analysis
            return Cause.objects.none()
        analysis = analysis_get_for_user(self.request.user, self.kwargs["pk"])
        return Cause.objects.filter(analysis=analysis).prefetch_related("cause_areas").order_by("pk")

    @extend_schema(request=CauseBody,
                   responses={201: CauseSerializer, 400: ERROR_400, 403: ERROR_403, 404: ERROR_404,
                              409: ERROR_409},
                   description="En orsak: ett svar på ”varför?” under `parent`, eller en ny kedja. En grundorsak "
                               "(`is_root`) behöver minst ett orsaksområde.")
    def post(self, request, pk: int):
        analysis = _work_gate(request.user, pk)
        body = CauseBody(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        _check_editable(analysis)
        parent = _parent(analysis, data["parent"])
        areas = _call(services.cause_areas_by_code, codes=list(dict.fromkeys(data["cause_areas"])))
        cause = _call(services.cause_save, analysis=analysis, actor=request.user, text=data["text"], parent=parent,
                      is_root=data["is_root"], cause_areas=areas)
        return Response(CauseSerializer(cause).data, status=status.HTTP_201_CREATED)


class CausePatchBody(CauseBody):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, partial=True, **kwargs)


class CauseApi(APIView):
    def _cause(self, analysis, cause_pk) -> Cause:
        cause = Cause.objects.filter(analysis=analysis, pk=cause_pk).prefetch_related("cause_areas").first()
        if cause is None:
            raise Http404
        return cause

    @extend_schema(responses={200: CauseSerializer, 404: ERROR_404})
    def get(self, request, pk: int, cause_pk: int):
        cause = self._cause(analysis_get_for_user(request.user, pk), cause_pk)
        return Response(CauseSerializer(cause).data)

    @extend_schema(request=CauseBody,
                   responses={200: CauseSerializer, 400: ERROR_400, 403: ERROR_403, 404: ERROR_404,
                              409: ERROR_409},
                   description="Ändra en orsak; fält som utelämnas behålls. En orsak kan inte flyttas under sig själv.")
    def patch(self, request, pk: int, cause_pk: int):
        analysis = _work_gate(request.user, pk)
        cause = self._cause(analysis, cause_pk)
        body = CausePatchBody(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        _check_editable(analysis)
        parent = _parent(analysis, data["parent"]) if "parent" in data else cause.parent
        codes = data["cause_areas"] if "cause_areas" in data else [a.code for a in cause.cause_areas.all()]
        areas = _call(services.cause_areas_by_code, codes=list(dict.fromkeys(codes)))
        cause = _call(services.cause_save, analysis=analysis, actor=request.user, cause=cause, parent=parent,
                      text=data.get("text", cause.text), is_root=data.get("is_root", cause.is_root), cause_areas=areas)
        return Response(CauseSerializer(self._cause(analysis, cause.pk)).data)

    @extend_schema(responses={204: None, 400: ERROR_400, 403: ERROR_403, 404: ERROR_404, 409: ERROR_409},
                   description="Ta bort en orsak; en orsak med underliggande orsaker eller en kopplad åtgärd "
                               "tas inte bort (400).")
    def delete(self, request, pk: int, cause_pk: int):
        analysis = _work_gate(request.user, pk)
        cause = self._cause(analysis, cause_pk)
        _check_editable(analysis)
        _call(services.cause_delete, cause=cause, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


# ---------------------------------------------------------------- transitions

class StartBody(serializers.Serializer):
    pass


class SubmitReportBody(serializers.Serializer):
    summary = _text_field(required=False, allow_blank=True,
                          help_text=gettext_lazy("Utan värde gäller den sparade sammanfattningen."))
    lessons = _text_field(required=False, allow_blank=True)


class DecideActionsBody(serializers.Serializer):
    comment = _text_field(required=False, allow_blank=True, default="")


class RecordFollowUpBody(serializers.Serializer):
    feedback_given_on = serializers.DateField(required=False, allow_null=True, default=None)
    comment = _text_field(required=False, allow_blank=True, default="")


class AnalysisCancelBody(serializers.Serializer):
    reason = _text_field()


def _submit(analysis, user, **data):
    return services.analysis_submit_report(analysis=analysis, actor=user,
                                           summary=data.get("summary", analysis.summary),
                                           lessons=data.get("lessons", ""))


ANALYSIS_TRANSITIONS = {
    "start": TransitionSpec(StartBody, lambda a, u, **d: services.analysis_start(analysis=a, actor=u)),
    "submit_report": TransitionSpec(SubmitReportBody, _submit),
    "decide_actions": TransitionSpec(DecideActionsBody, lambda a, u, **d: services.analysis_decide_actions(
        analysis=a, actor=u, **d)),
    "record_follow_up": TransitionSpec(RecordFollowUpBody, lambda a, u, **d: services.analysis_record_follow_up(
        analysis=a, actor=u, **d)),
    "cancel": TransitionSpec(AnalysisCancelBody, lambda a, u, **d: services.analysis_cancel(
        analysis=a, actor=u, **d)),
}


def _may_take(analysis, name: str, user) -> bool:
    """Whether the transition is the user's to take at all, whatever the current status:
    a 403 comes before the body's 400 and the status's 409."""
    meta = getattr(getattr(analysis, name, None), "_django_fsm", None)
    return meta is not None and any(t.has_perm(analysis, user) for t in meta.transitions.values())


@extend_schema(
    request=inline_serializer("EventAnalysisTransitionBody", fields={
        "summary": serializers.CharField(required=False),
        "lessons": serializers.CharField(required=False),
        "comment": serializers.CharField(required=False),
        "feedback_given_on": serializers.DateField(required=False),
        "reason": serializers.CharField(required=False),
    }),
    parameters=[OpenApiParameter("name", OpenApiTypes.STR, OpenApiParameter.PATH, enum=TRANSITION_NAMES)],
    responses={200: EventAnalysisSerializer, 400: ERROR_400, 403: ERROR_403, 404: ERROR_404, 409: ERROR_409},
    description="start; submit_report {summary, lessons?} (analysledaren); decide_actions {comment?} "
                "(uppdragsgivaren); record_follow_up {feedback_given_on, comment?} (uppdragsgivaren); "
                "cancel {reason} (uppdragsgivaren).",
)
class EventAnalysisTransitionApi(TransitionApi):
    detail_serializer = EventAnalysisSerializer
    get_object_for_user = staticmethod(analysis_get_for_user)
    transitions = ANALYSIS_TRANSITIONS

    def post(self, request, pk: int, name: str):
        analysis = analysis_get_for_user(request.user, pk)
        spec = self.transitions.get(name)
        if spec is None:
            raise Http404
        if not _may_take(analysis, name, request.user):
            raise PermissionDenied(_("Du har inte behörighet att göra detta."))
        body = spec.serializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            spec.run(analysis, request.user, **body.validated_data)
        except services.AnalysisValidationError as exc:
            raise serializers.ValidationError({f: [m] for f, m in exc.errors.items()}) from exc
        analysis.refresh_from_db()
        return Response(EventAnalysisSerializer(analysis, context={"request": request}).data)


# ---------------------------------------------------------------- the analysrapport

REPORT_FORMATS = ("html", "pdf")


class EventAnalysisReportApi(APIView):
    """The analysrapport as a document, not JSON: `format` is ours, not DRF's format override."""

    def perform_content_negotiation(self, request, force=False):
        # DRF would read ?format=pdf as a renderer choice and answer 404; errors stay JSON.
        return JSONRenderer(), JSONRenderer.media_type

    @extend_schema(
        parameters=[
            OpenApiParameter("format", OpenApiTypes.STR, OpenApiParameter.QUERY, enum=REPORT_FORMATS,
                             description="html (standard) eller pdf."),
            OpenApiParameter("roles", OpenApiTypes.BOOL, OpenApiParameter.QUERY,
                             description="Roller i stället för namn på personalen."),
        ],
        responses={(200, "text/html"): OpenApiTypes.STR, (200, "application/pdf"): OpenApiTypes.BINARY,
                   400: ERROR_400, 404: ERROR_404},
    )
    def get(self, request, pk: int):
        analysis = analysis_get_for_user(request.user, pk)
        wanted = request.query_params.get("format", "html")
        if wanted not in REPORT_FORMATS:
            raise serializers.ValidationError({"format": [_("Välj html eller pdf.")]})
        roles = wants_roles(request.query_params.get("roles"))
        if wanted == "pdf":
            response = HttpResponse(report_pdf(analysis, roles=roles, request=request),
                                    content_type="application/pdf")
            response["Content-Disposition"] = (
                f'attachment; filename="{report_filename(analysis, roles=roles, extension="pdf")}"')
        else:
            response = HttpResponse(report_html(analysis, roles=roles, for_pdf=True, request=request),
                                    content_type="text/html; charset=utf-8")
        response["Cache-Control"] = "private, no-store"
        return response


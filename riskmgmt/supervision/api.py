"""Supervision decisions and their requirements over REST (API.md "Supervision").

Order of refusals on every write: 404 outside the caller's scope (or unknown transition), 403
when the action is not the caller's (recording is for section managers, quality and management),
400 for a bad body, 409 when the status or a guard forbids it. Domain input errors
(`SupervisionValidationError`) become `{"field": ["message"]}`.
"""

from __future__ import annotations

import django_filters
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Prefetch
from django.http import Http404
from django.urls import path
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
from rest_framework.response import Response
from rest_framework.views import APIView

from riskmgmt.actions.models import Action
from riskmgmt.api.workflow import TransitionSpec, WorkflowSerializerMixin
from riskmgmt.deviations.api import (
    ERROR_400,
    ERROR_403,
    ERROR_404,
    ERROR_409,
    MAX_ID,
    TEXT_MAX,
    IdFilter,
    NamedChoiceField,
    YearFilter,
    filter_objects,
)
from riskmgmt.deviations.selectors import deviation_list_for_user
from riskmgmt.organisation.models import Process, Unit
from riskmgmt.organisation.selectors import process_list_for_user, units_in_scope, user_has_role

from . import services
from .models import (
    DECISION_TRANSITION_NAMES,
    REQUIREMENT_TRANSITION_NAMES,
    Requirement,
    StatementRequest,
    SupervisionDecision,
)
from .rules import RECORDER_ROLES, records_decision
from .selectors import (
    decision_filter,
    decision_get_for_user,
    decisions_for_user,
    requirement_filter,
    requirement_get_for_user,
    requirements_for_user,
)

Decision = SupervisionDecision


def _id_field(**kwargs) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, **kwargs)


def _text_field(**kwargs) -> serializers.CharField:
    kwargs.setdefault("max_length", TEXT_MAX)
    return serializers.CharField(**kwargs)


def _not_in_future(value):
    if value is not None and value > timezone.localdate():
        raise serializers.ValidationError(_("Datumet kan inte ligga i framtiden."))
    return value


def _call(service, **kwargs):
    """Runs a service; its input errors answer 400 with the field, as API.md asks."""
    try:
        return service(**kwargs)
    except services.SupervisionValidationError as exc:
        raise serializers.ValidationError({field: [message] for field, message in exc.errors.items()}) from exc


def _require_recorder_role(user) -> None:
    """403 before the body is read when the caller records nothing anywhere."""
    if not user_has_role(user, RECORDER_ROLES):
        raise PermissionDenied(_("Tillsynsärenden registreras av sektionschef, kvalitetssamordnare eller "
                                 "ledningsgrupp."))


def _guard_facts() -> dict:
    """What start_report_back and close need, as subqueries: a list stays one query."""
    requirements = Requirement.objects.filter(decision=OuterRef("pk"))
    return {
        "has_requirements": Exists(requirements),
        "requirements_settled": ~Exists(requirements.exclude(status=Requirement.Status.ACCEPTED)),
    }


def _load_guard_facts(decision: Decision) -> Decision:
    facts = Decision.objects.filter(pk=decision.pk).annotate(**_guard_facts()).values(
        "has_requirements", "requirements_settled").first() or {}
    for name, value in facts.items():
        setattr(decision, name, value)
    return decision


def _requirement_type() -> ContentType:
    return ContentType.objects.get_for_model(Requirement)


# ---------------------------------------------------------------- serializers

class StatementRequestSerializer(serializers.ModelSerializer):
    class Meta:
        model = StatementRequest
        fields = ["id", "requested_on", "due_date", "description", "submitted_on", "submitted_by"]
        read_only_fields = fields


class RequirementSerializer(WorkflowSerializerMixin, serializers.ModelSerializer):
    """A requirement (krav): its report-back date, status, report, risks and actions."""

    transition_names = REQUIREMENT_TRANSITION_NAMES
    status = NamedChoiceField("RequirementStatusEnum", Requirement.Status.choices, read_only=True)
    is_overdue = serializers.SerializerMethodField()
    has_report_document = serializers.SerializerMethodField()
    risks = serializers.SerializerMethodField()
    actions = serializers.SerializerMethodField()

    class Meta:
        model = Requirement
        fields = [
            "id", "decision", "text", "due_date", "process", "status", "is_overdue", "reported_on",
            "report_summary", "has_report_document", "accepted_on", "risks", "actions", "created", "modified",
            "available_transitions", "history",
        ]
        read_only_fields = fields

    def get_is_overdue(self, requirement) -> bool:
        return requirement.status == Requirement.Status.OPEN and requirement.due_date < timezone.localdate()

    def get_has_report_document(self, requirement) -> bool:
        return bool(requirement.report_document)

    def get_risks(self, requirement) -> list[int]:
        """Risks raised from the requirement (/api/v1/risks/<id>/)."""
        if hasattr(requirement, "raised_risks"):
            return requirement.raised_risks
        from riskmgmt.risks.models import Risk

        return list(Risk.objects.filter(source_content_type=_requirement_type(), source_id=requirement.pk)
                    .order_by("pk").values_list("pk", flat=True))

    def get_actions(self, requirement) -> list[int]:
        """The requirement's actions (/api/v1/actions/<id>/)."""
        if hasattr(requirement, "source_actions"):
            return requirement.source_actions
        return list(Action.objects.filter(source_content_type=_requirement_type(), source_id=requirement.pk)
                    .order_by("due_date", "pk").values_list("pk", flat=True))


def _with_links(requirements: list[Requirement]) -> list[Requirement]:
    """Loads the ids of many requirements' risks and actions in two queries."""
    from riskmgmt.risks.models import Risk

    ids = [r.pk for r in requirements]
    risks: dict[int, list] = {pk: [] for pk in ids}
    actions: dict[int, list] = {pk: [] for pk in ids}
    requirement_type = _requirement_type()
    # Ids only: a model with a deferred FSM status field would load it again row by row.
    for source_id, pk in Risk.objects.filter(source_content_type=requirement_type, source_id__in=ids).order_by(
            "pk").values_list("source_id", "pk"):
        risks[source_id].append(pk)
    for source_id, pk in Action.objects.filter(source_content_type=requirement_type, source_id__in=ids).order_by(
            "due_date", "pk").values_list("source_id", "pk"):
        actions[source_id].append(pk)
    for requirement in requirements:
        requirement.raised_risks, requirement.source_actions = risks[requirement.pk], actions[requirement.pk]
    return requirements


class DecisionListSerializer(WorkflowSerializerMixin, serializers.ModelSerializer):
    """A list row: the decision without history, requirements or statement requests."""

    transition_names = DECISION_TRANSITION_NAMES
    authority = NamedChoiceField("SupervisionAuthorityEnum", Decision.Authority.choices, read_only=True)
    kind = NamedChoiceField("SupervisionDecisionKindEnum", Decision.Kind.choices, read_only=True)
    outcome = NamedChoiceField("SupervisionOutcomeEnum", [("", ""), *Decision.Outcome.choices], read_only=True)
    status = NamedChoiceField("SupervisionDecisionStatusEnum", Decision.Status.choices, read_only=True)
    processes = serializers.SerializerMethodField()
    has_document = serializers.SerializerMethodField()

    class Meta:
        model = Decision
        fields = [
            "id", "authority", "reference", "unit", "subject", "kind", "received_on", "decided_on", "outcome",
            "status", "closed_on", "deviation", "processes", "recorded_by", "has_document", "created", "modified",
            "available_transitions",
        ]
        read_only_fields = fields

    def get_processes(self, decision) -> list[int]:
        return sorted(process.pk for process in decision.processes.all())

    def get_has_document(self, decision) -> bool:
        return bool(decision.document)


class DecisionSerializer(DecisionListSerializer):
    """The detail (API.md): status, available_transitions, history, requirements, statement requests."""

    requirements = serializers.SerializerMethodField()
    statement_requests = serializers.SerializerMethodField()

    class Meta(DecisionListSerializer.Meta):
        fields = [
            *DecisionListSerializer.Meta.fields[:-1], "summary", "document_name", "requirements",
            "statement_requests", "available_transitions", "history",
        ]
        read_only_fields = fields

    def to_representation(self, instance):
        _load_guard_facts(instance)
        return super().to_representation(instance)

    @extend_schema_field(RequirementSerializer(many=True))
    def get_requirements(self, decision) -> list[dict]:
        requirements = _with_links(list(Requirement.objects.filter(decision=decision).order_by("due_date", "pk")))
        for requirement in requirements:
            requirement.decision = decision
        context = {**self.context, "omit_history": True}
        return RequirementSerializer(requirements, many=True, context=context).data

    @extend_schema_field(StatementRequestSerializer(many=True))
    def get_statement_requests(self, decision) -> list[dict]:
        return StatementRequestSerializer(decision.statement_requests.order_by("due_date", "pk"), many=True).data


# ---------------------------------------------------------------- decisions: list and create

class DecisionFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        choices=[("open", gettext_lazy("Öppna")), *Decision.Status.choices], method="_by_selector")
    authority = django_filters.ChoiceFilter(choices=Decision.Authority.choices, method="_by_selector")
    kind = django_filters.ChoiceFilter(choices=Decision.Kind.choices, method="_by_selector")
    unit = IdFilter(method="_by_selector", help_text=gettext_lazy("Enheten och allt under den."))
    year = YearFilter(method="_by_selector", help_text=gettext_lazy("År för received_on."))

    class Meta:
        model = Decision
        fields = ["status", "authority", "kind", "unit", "year"]

    def _by_selector(self, qs, name, value):  # pragma: no cover - filter_queryset does the work
        return qs

    def filter_queryset(self, queryset):
        data = self.form.cleaned_data
        named = filter_objects(data, unit=Unit)
        if named is None:
            return queryset.none()
        return decision_filter(queryset, status=data.get("status") or None, authority=data.get("authority") or None,
                               kind=data.get("kind") or None, **named, year=data.get("year"))


class DecisionCreateBody(serializers.Serializer):
    authority = NamedChoiceField("SupervisionAuthorityEnum", Decision.Authority.choices)
    reference = serializers.CharField(max_length=60)
    unit = _id_field()
    subject = serializers.CharField(max_length=200)
    kind = NamedChoiceField("SupervisionDecisionKindEnum", Decision.Kind.choices, required=False,
                            default=Decision.Kind.SUPERVISION)
    received_on = serializers.DateField(validators=[_not_in_future])
    decided_on = serializers.DateField(required=False, allow_null=True, default=None, validators=[_not_in_future])
    outcome = NamedChoiceField("SupervisionOutcomeEnum", [("", ""), *Decision.Outcome.choices], required=False,
                               allow_blank=True, allow_null=True, default="")
    summary = _text_field(required=False, allow_blank=True, default="")
    processes = serializers.ListField(child=_id_field(), required=False, default=list, max_length=100)
    deviation = _id_field(required=False, allow_null=True, default=None,
                          help_text=gettext_lazy("Lex Sarah-ärendet som tillsynen följer upp."))

    def validate(self, attrs):
        attrs["outcome"] = attrs.get("outcome") or ""
        return attrs


def _decision_queryset(user):
    return decisions_for_user(user).select_related("unit", "deviation").prefetch_related(
        Prefetch("processes", queryset=Process.objects.only("pk")))


class DecisionListCreateApi(generics.ListCreateAPIView):
    filterset_class = DecisionFilter

    def get_serializer_class(self):
        return DecisionListSerializer if self.request.method == "GET" else DecisionSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema is built without a database
            return Decision.objects.none()
        return _decision_queryset(self.request.user).annotate(**_guard_facts()).order_by("-received_on", "-pk")

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "omit_history": True}

    @extend_schema(responses={200: DecisionListSerializer(many=True), 400: ERROR_400})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(request=DecisionCreateBody,
                   responses={201: DecisionSerializer, 400: ERROR_400, 403: ERROR_403},
                   description="Registrera ett tillsynsärende eller beslut: sektionschef, kvalitetssamordnare "
                               "eller ledningsgrupp för enheten. Med både decided_on och outcome registreras "
                               "beslutet direkt (status decided).")
    def post(self, request):
        user = request.user
        _require_recorder_role(user)
        body = DecisionCreateBody(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        # One answer for a unit that does not exist and one outside the caller's scope.
        unit = units_in_scope(user).filter(pk=data.pop("unit")).first()
        if unit is None:
            raise serializers.ValidationError({"unit": [_("Enheten finns inte i ditt ansvarsområde.")]})
        if not records_decision(user, unit):
            raise PermissionDenied(_("Tillsynsärenden för enheten registreras av sektionschef, "
                                     "kvalitetssamordnare eller ledningsgrupp."))
        process_ids = set(data.pop("processes"))
        processes = list(process_list_for_user(user).filter(pk__in=process_ids))
        if len(processes) != len(process_ids):
            raise serializers.ValidationError({"processes": [_("Processen finns inte i ditt ansvarsområde.")]})
        deviation_id = data.pop("deviation")
        deviation = None
        if deviation_id is not None:
            deviation = deviation_list_for_user(user).filter(pk=deviation_id).first()
            if deviation is None:
                raise serializers.ValidationError({"deviation": [_("Avvikelsen finns inte i ditt ansvarsområde.")]})
        decision = _call(services.decision_create, actor=user, unit=unit, processes=processes, deviation=deviation,
                         **data)
        decision = _decision_queryset(user).get(pk=decision.pk)
        return Response(DecisionSerializer(decision, context={"request": request}).data,
                        status=status.HTTP_201_CREATED)


class DecisionDetailApi(APIView):
    @extend_schema(responses={200: DecisionSerializer, 404: ERROR_404})
    def get(self, request, pk: int):
        decision = decision_get_for_user(request.user, pk)
        return Response(DecisionSerializer(decision, context={"request": request}).data)


# ---------------------------------------------------------------- decisions: transitions

class RequestStatementBody(serializers.Serializer):
    requested_on = serializers.DateField(required=False, default=timezone.localdate, validators=[_not_in_future])
    due_date = serializers.DateField()
    description = _text_field(required=False, allow_blank=True, default="")


class RecordDecisionBody(serializers.Serializer):
    decided_on = serializers.DateField(required=False, allow_null=True, default=None, validators=[_not_in_future])
    outcome = NamedChoiceField("SupervisionOutcomeEnum", [("", ""), *Decision.Outcome.choices], required=False,
                               allow_blank=True, allow_null=True, default="")
    summary = _text_field(required=False, allow_blank=True, allow_null=True, default=None)


class EmptyBody(serializers.Serializer):
    pass


class CloseBody(serializers.Serializer):
    closed_on = serializers.DateField(required=False, allow_null=True, default=None, validators=[_not_in_future])
    comment = _text_field(required=False, allow_blank=True, default="")


DECISION_TRANSITIONS = {
    "request_statement": TransitionSpec(RequestStatementBody, lambda d, u, **f: services.decision_request_statement(
        decision=d, actor=u, **f)),
    "record_decision": TransitionSpec(RecordDecisionBody, lambda d, u, **f: services.decision_record(
        decision=d, actor=u, **f)),
    "start_report_back": TransitionSpec(EmptyBody, lambda d, u, **f: services.decision_start_report_back(
        decision=d, actor=u)),
    "close": TransitionSpec(CloseBody, lambda d, u, **f: services.decision_close(decision=d, actor=u, **f)),
}


def _may_take(obj, name: str, user) -> bool:
    """Whether the transition is the user's to take at all, whatever the current status:
    a 403 comes before the body's 400 and the status's 409."""
    meta = getattr(getattr(obj, name, None), "_django_fsm", None)
    return meta is not None and any(t.has_perm(obj, user) for t in meta.transitions.values())


class _TransitionApi(APIView):
    transitions: dict[str, TransitionSpec] = {}

    def get_object_for_user(self, user, pk):  # pragma: no cover - overridden
        raise NotImplementedError

    def respond(self, request, obj):  # pragma: no cover - overridden
        raise NotImplementedError

    def post(self, request, pk: int, name: str):
        obj = self.get_object_for_user(request.user, pk)
        spec = self.transitions.get(name)
        if spec is None:
            raise Http404
        if not _may_take(obj, name, request.user):
            raise PermissionDenied(_("Du har inte behörighet att göra detta."))
        body = spec.serializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            spec.run(obj, request.user, **body.validated_data)
        except services.SupervisionValidationError as exc:
            raise serializers.ValidationError({f: [m] for f, m in exc.errors.items()}) from exc
        return self.respond(request, obj)


@extend_schema(
    request=inline_serializer("SupervisionDecisionTransitionBody", fields={
        "requested_on": serializers.DateField(required=False),
        "due_date": serializers.DateField(required=False),
        "description": serializers.CharField(required=False),
        "decided_on": serializers.DateField(required=False),
        "outcome": serializers.ChoiceField(choices=Decision.Outcome.choices, required=False),
        "summary": serializers.CharField(required=False),
        "closed_on": serializers.DateField(required=False),
        "comment": serializers.CharField(required=False),
    }),
    parameters=[OpenApiParameter("name", OpenApiTypes.STR, OpenApiParameter.PATH, enum=DECISION_TRANSITION_NAMES)],
    responses={200: DecisionSerializer, 400: ERROR_400, 403: ERROR_403, 404: ERROR_404, 409: ERROR_409},
    description="request_statement {requested_on?, due_date, description?} (en begäran om yttrande; ärendet går "
                "till responding); record_decision {decided_on, outcome, summary?}; start_report_back (kräver minst "
                "ett krav); close {closed_on, comment?} (alla krav godtagna).",
)
class DecisionTransitionApi(_TransitionApi):
    transitions = DECISION_TRANSITIONS

    def get_serializer_class(self):  # for the schema
        return DecisionSerializer

    def get_object_for_user(self, user, pk):
        return decision_get_for_user(user, pk)

    def respond(self, request, obj):
        decision = _decision_queryset(request.user).get(pk=obj.pk)
        return Response(DecisionSerializer(decision, context={"request": request}).data)


# ---------------------------------------------------------------- requirements

class RequirementFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        choices=[*Requirement.Status.choices, ("overdue", gettext_lazy("Försenade"))], method="_by_selector")
    due_before = django_filters.DateFilter(method="_by_selector",
                                  help_text=gettext_lazy("Redovisas senast detta datum (inklusive)."))
    decision = IdFilter(method="_by_selector")
    unit = IdFilter(method="_by_selector", help_text=gettext_lazy("Beslutets enhet och allt under den."))
    process = IdFilter(method="_by_selector")

    class Meta:
        model = Requirement
        fields = ["status", "due_before", "decision", "unit", "process"]

    def _by_selector(self, qs, name, value):  # pragma: no cover - filter_queryset does the work
        return qs

    def filter_queryset(self, queryset):
        data = self.form.cleaned_data
        named = filter_objects(data, unit=Unit, process=Process)
        if named is None:
            return queryset.none()
        return requirement_filter(queryset, status=data.get("status") or None, due_before=data.get("due_before"),
                                  decision=data.get("decision"), **named)


class RequirementCreateBody(serializers.Serializer):
    decision = _id_field()
    text = _text_field()
    due_date = serializers.DateField()
    process = _id_field(required=False, allow_null=True, default=None)


class RequirementPatchBody(serializers.Serializer):
    text = _text_field(required=False)
    due_date = serializers.DateField(required=False)
    process = _id_field(required=False, allow_null=True)


def _process_for(user, process_id: int | None) -> Process | None:
    if process_id is None:
        return None
    process = process_list_for_user(user).filter(pk=process_id).first()
    if process is None:
        raise serializers.ValidationError({"process": [_("Processen finns inte i ditt ansvarsområde.")]})
    return process


class RequirementListCreateApi(generics.ListCreateAPIView):
    filterset_class = RequirementFilter
    serializer_class = RequirementSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema is built without a database
            return Requirement.objects.none()
        return requirements_for_user(self.request.user).order_by("due_date", "pk")

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "omit_history": True}

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        return _with_links(list(page)) if page is not None else None

    @extend_schema(responses={200: RequirementSerializer(many=True), 400: ERROR_400})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(request=RequirementCreateBody,
                   responses={201: RequirementSerializer, 400: ERROR_400, 403: ERROR_403, 409: ERROR_409},
                   description="Lägg till ett krav med datum för redovisning (inte i ett avslutat ärende).")
    def post(self, request):
        user = request.user
        _require_recorder_role(user)
        body = RequirementCreateBody(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        decision = decisions_for_user(user).filter(pk=data["decision"]).first()
        if decision is None:
            raise serializers.ValidationError({"decision": [_("Tillsynsärendet finns inte i ditt ansvarsområde.")]})
        if not records_decision(user, decision):
            raise PermissionDenied(_("Krav läggs in av sektionschef, kvalitetssamordnare eller ledningsgrupp."))
        requirement = _call(services.requirement_add, decision=decision, actor=user, text=data["text"],
                            due_date=data["due_date"], process=_process_for(user, data["process"]))
        return Response(RequirementSerializer(requirement, context={"request": request}).data,
                        status=status.HTTP_201_CREATED)


class RequirementDetailApi(APIView):
    @extend_schema(responses={200: RequirementSerializer, 404: ERROR_404})
    def get(self, request, pk: int):
        requirement = requirement_get_for_user(request.user, pk)
        return Response(RequirementSerializer(requirement, context={"request": request}).data)

    @extend_schema(request=RequirementPatchBody,
                   responses={200: RequirementSerializer, 400: ERROR_400, 403: ERROR_403, 404: ERROR_404,
                              409: ERROR_409},
                   description="Rätta kravets text, datum eller process (historiken sparas).")
    def patch(self, request, pk: int):
        requirement = requirement_get_for_user(request.user, pk)
        if not records_decision(request.user, requirement.decision):
            raise PermissionDenied(_("Krav ändras av sektionschef, kvalitetssamordnare eller ledningsgrupp."))
        body = RequirementPatchBody(data=request.data)
        body.is_valid(raise_exception=True)
        fields = dict(body.validated_data)
        if "process" in fields:
            fields["process"] = _process_for(request.user, fields["process"])
        _call(services.requirement_update, requirement=requirement, actor=request.user, **fields)
        return Response(RequirementSerializer(requirement_get_for_user(request.user, pk),
                                              context={"request": request}).data)


class ReportBackBody(serializers.Serializer):
    """Both fields may be left out: what is missing answers 409 with `missing`."""

    reported_on = serializers.DateField(required=False, allow_null=True, default=None, validators=[_not_in_future])
    summary = _text_field(required=False, allow_blank=True, allow_null=True, default="")


class AcceptBody(serializers.Serializer):
    accepted_on = serializers.DateField(required=False, allow_null=True, default=None, validators=[_not_in_future])


REQUIREMENT_TRANSITIONS = {
    "report_back": TransitionSpec(ReportBackBody, lambda r, u, **f: services.requirement_report_back(
        requirement=r, actor=u, **f)),
    "accept": TransitionSpec(AcceptBody, lambda r, u, **f: services.requirement_accept(requirement=r, actor=u, **f)),
}


@extend_schema(
    request=inline_serializer("RequirementTransitionBody", fields={
        "reported_on": serializers.DateField(required=False),
        "summary": serializers.CharField(required=False),
        "accepted_on": serializers.DateField(required=False),
    }),
    parameters=[OpenApiParameter("name", OpenApiTypes.STR, OpenApiParameter.PATH,
                                 enum=REQUIREMENT_TRANSITION_NAMES)],
    responses={200: RequirementSerializer, 400: ERROR_400, 403: ERROR_403, 404: ERROR_404, 409: ERROR_409},
    description="report_back {reported_on, summary} (ett beslutat ärende; det första redovisade kravet startar "
                "ärendets redovisning); accept {accepted_on?} (i dag utan datum).",
)
class RequirementTransitionApi(_TransitionApi):
    transitions = REQUIREMENT_TRANSITIONS

    def get_serializer_class(self):  # for the schema
        return RequirementSerializer

    def get_object_for_user(self, user, pk):
        return requirement_get_for_user(user, pk)

    def respond(self, request, obj):
        requirement = requirement_get_for_user(request.user, obj.pk)
        return Response(RequirementSerializer(requirement, context={"request": request}).data)


api_urlpatterns = [
    path("supervision-decisions/", DecisionListCreateApi.as_view(), name="supervision-decision-list"),
    path("supervision-decisions/<int:pk>/", DecisionDetailApi.as_view(), name="supervision-decision-detail"),
    path("supervision-decisions/<int:pk>/transitions/<slug:name>/", DecisionTransitionApi.as_view(),
         name="supervision-decision-transition"),
    path("requirements/", RequirementListCreateApi.as_view(), name="requirement-list"),
    path("requirements/<int:pk>/", RequirementDetailApi.as_view(), name="requirement-detail"),
    path("requirements/<int:pk>/transitions/<slug:name>/", RequirementTransitionApi.as_view(),
         name="requirement-transition"),
]

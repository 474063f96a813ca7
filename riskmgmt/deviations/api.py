"""Deviations and their IVO track over REST (API.md "Deviations").

Order of refusals on every write: 404 outside the caller's scope (or unknown transition),
403 when the action is not the caller's, 400 for a bad body, 409 when the status or a guard
forbids it. Domain input errors (`DeviationValidationError`) become `{"field": ["message"]}`.
"""

from __future__ import annotations

from collections.abc import Callable

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import ResolvedComponent
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import generics, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from riskmgmt.api.workflow import TransitionApi, TransitionSpec, WorkflowSerializerMixin
from riskmgmt.organisation.models import Process, Unit
from riskmgmt.organisation.selectors import process_list_for_user, units_in_scope

from . import services
from .models import IVO_TRANSITION_NAMES, TRANSITION_NAMES, Deviation, IvoNotification
from .rules import records_ivo_for
from .selectors import deviation_filter, deviation_get_for_user, deviation_list_for_user

Kind = Deviation.Kind
MAX_ID = 2**63 - 1  # a bigger id would overflow the database (a 500), so it is a 400
TEXT_MAX = 100_000  # free text; the model has no bound, the API keeps bodies sane


def _validation_error(exc: services.DeviationValidationError) -> serializers.ValidationError:
    return serializers.ValidationError({field: [message] for field, message in exc.errors.items()})


def _call(service: Callable, **kwargs):
    """Runs a service; its input errors answer 400 with the field, as API.md asks."""
    try:
        return service(**kwargs)
    except services.DeviationValidationError as exc:
        raise _validation_error(exc) from exc


def _not_in_future(value):
    if value is not None and value > timezone.localdate():
        raise serializers.ValidationError(_("Datumet kan inte ligga i framtiden."))
    return value


def _id_field(**kwargs) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, **kwargs)


def _text_field(**kwargs) -> serializers.CharField:
    kwargs.setdefault("max_length", TEXT_MAX)
    return serializers.CharField(**kwargs)


class ChoiceField(serializers.ChoiceField):
    """DRF's refusal quotes the value, and a lone surrogate in that quote makes the JSON renderer
    fail (a 500); such characters are replaced before the choice is checked."""

    def to_internal_value(self, data):
        if isinstance(data, str):
            data = data.encode("utf-8", "replace").decode("utf-8")
        return super().to_internal_value(data)


class NamedChoiceField(ChoiceField):
    """A choice field whose enum the schema names itself. drf-spectacular names enums after the
    field ("KindEnum"), and "status" and "kind" already name other resources' choices: sharing
    the name would rename those components to hashes and warn."""

    def __init__(self, enum_name: str, choices, **kwargs) -> None:
        self.enum_name = enum_name
        super().__init__(choices=choices, **kwargs)


class NamedChoiceFieldExtension(OpenApiSerializerFieldExtension):
    target_class = NamedChoiceField

    def map_serializer_field(self, auto_schema, direction):
        field = self.target
        component = ResolvedComponent(name=field.enum_name, type=ResolvedComponent.SCHEMA,
                                      object=field.enum_name,
                                      schema={"type": "string", "enum": list(field.choices)})
        auto_schema.registry.register_on_missing(component)
        return component.ref


# ---------------------------------------------------------------- read serializers

class IvoNotificationSerializer(WorkflowSerializerMixin, serializers.ModelSerializer):
    transition_names = IVO_TRANSITION_NAMES
    supervision_decision = serializers.IntegerField(source="supervision_decision_id", allow_null=True,
                                                    read_only=True)
    status = NamedChoiceField("IvoNotificationStatusEnum", IvoNotification.Status.choices, read_only=True)

    class Meta:
        model = IvoNotification
        fields = [
            "id", "sent_on", "ivo_reference", "investigation_attached", "investigation_due",
            "investigation_sent_on", "decided_on", "supervision_decision", "status",
            "available_transitions", "history",
        ]
        read_only_fields = fields


# Free text that may describe a client's situation. Lists leave it out: reading it is reading
# the detail, and every read of a detail is logged (DOMAIN.md A11).
DETAIL_ONLY_FIELDS = [
    "description", "location", "immediate_actions", "consequences", "contact", "answer",
    "what_happened", "causes", "conclusion", "feedback", "no_action_reason", "withdraw_reason",
    "forwarded_to", "history",
]


class DeviationSerializer(WorkflowSerializerMixin, serializers.ModelSerializer):
    """The detail (API.md): every field, the reporter only for those who may know them."""

    transition_names = TRANSITION_NAMES
    kind = NamedChoiceField("DeviationKindEnum", Kind.choices, read_only=True)
    status = NamedChoiceField("DeviationStatusEnum", Deviation.Status.choices, read_only=True)
    reported_by = serializers.SerializerMethodField()
    contact = serializers.SerializerMethodField()
    is_overdue = serializers.BooleanField(read_only=True)
    ivo_notification = IvoNotificationSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Deviation
        fields = [
            "id", "reference", "kind", "unit", "process", "title", "description", "occurred_at",
            "location", "immediate_actions", "consequences", "reported_at", "reported_by",
            "complainant_type", "anonymous", "contact", "answer", "answered_on", "forwarded_to",
            "complainant_notified_on", "what_happened", "causes", "classification", "decided_by",
            "delegation_ref", "conclusion", "investigator", "feedback", "feedback_given_on",
            "no_action_reason", "withdraw_reason", "status", "received_at", "concluded_at",
            "closed_at", "next_due", "receipt_due", "conclusion_due", "ivo_notification_due",
            "is_overdue", "created", "modified", "ivo_notification", "available_transitions",
            "history",
        ]
        read_only_fields = fields

    def _sees_reporter(self, deviation) -> bool:
        return self.context["request"].user.has_perm("deviations.see_reporter", deviation)

    def get_reported_by(self, deviation) -> int | None:
        """The reporter's user id, or null when the caller may not know who reported."""
        return deviation.reporter_id if self._sees_reporter(deviation) else None

    def get_contact(self, deviation) -> str | None:
        """The complainant's contact details, for those who may see the reporter."""
        return deviation.contact if self._sees_reporter(deviation) else None


class DeviationListSerializer(DeviationSerializer):
    """A list row: the detail without history and free text (named for the schema)."""

    class Meta(DeviationSerializer.Meta):
        fields = [f for f in DeviationSerializer.Meta.fields if f not in DETAIL_ONLY_FIELDS]
        read_only_fields = fields


# ---------------------------------------------------------------- create

class DeviationCreateSerializer(serializers.Serializer):
    kind = NamedChoiceField("DeviationKindEnum", Kind.choices)
    unit = _id_field()
    process = _id_field(required=False, allow_null=True)
    title = serializers.CharField(max_length=200)
    description = _text_field()
    occurred_at = serializers.DateTimeField(required=False, allow_null=True)
    location = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    immediate_actions = _text_field(required=False, allow_blank=True, default="")
    consequences = _text_field(required=False, allow_blank=True, default="")
    complainant_type = ChoiceField(choices=Deviation.ComplainantType.choices, required=False, allow_blank=True,
                                   default="")
    anonymous = serializers.BooleanField(required=False, default=False)
    contact = _text_field(required=False, allow_blank=True, default="", max_length=2000)
    reported_at = serializers.DateTimeField(
        required=False, allow_null=True,
        help_text=gettext_lazy("Bara kvalitetssamordnare: registrering från ett tidigare system."),
    )

    def validate_reported_at(self, value):
        if value is not None and value > timezone.now():
            raise serializers.ValidationError(_("Tidpunkten kan inte ligga i framtiden."))
        return value

    def validate(self, attrs):
        if attrs["kind"] != Kind.COMPLAINT:
            # Complaint-only fields on another kind would be dropped silently; say so instead.
            message = _("Gäller bara synpunkter och klagomål.")
            errors = {}
            if attrs.get("complainant_type"):
                errors["complainant_type"] = [message]
            if attrs.get("anonymous"):
                errors["anonymous"] = [message]
            if attrs.get("contact"):
                errors["contact"] = [message]
            if errors:
                raise serializers.ValidationError(errors)
        return attrs


def _unit_for_filing(user, unit_id: int) -> Unit:
    # One answer for a unit that does not exist and one outside the caller's scope, so the
    # 400 reveals nothing (API.md: never reveal that an object exists).
    unit = units_in_scope(user).filter(pk=unit_id).first()
    if unit is None:
        raise serializers.ValidationError({"unit": [_("Du kan bara rapportera för enheter där du arbetar.")]})
    return unit


def _process_for_filing(user, process_id: int | None) -> Process | None:
    if process_id is None:
        return None
    process = process_list_for_user(user).filter(pk=process_id).first()
    if process is None:
        raise serializers.ValidationError({"process": [_("Processen hör inte till den valda enheten.")]})
    return process


# ---------------------------------------------------------------- list filters

class StrictBooleanFilter(django_filters.ChoiceFilter):
    """`true`/`false` (or 1/0); anything else is a 400, where django-filter would ignore it."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("choices", [("true", "true"), ("false", "false"), ("1", "1"), ("0", "0")])
        super().__init__(*args, **kwargs)


def filter_objects(data: dict, **models) -> dict | None:
    """The objects a list's id filters name (e.g. unit=Unit, process=Process): {name: obj or None}.
    None when a named id does not exist: scoping is the list's business, so an unknown id simply
    matches nothing."""
    found = {}
    for name, model in models.items():
        found[name] = None if data.get(name) is None else model.objects.filter(pk=data[name]).first()
        if data.get(name) is not None and found[name] is None:
            return None
    return found


class IdFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


@extend_schema_field(OpenApiTypes.INT)
class YearFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("min_value", 1900)
        kwargs.setdefault("max_value", 9999)  # datetime's bound: a bigger year would be a 500
        super().__init__(*args, **kwargs)


class DeviationFilter(django_filters.FilterSet):
    """Validates the query (400 on unknown values) and hands it to `deviation_filter`."""

    kind = django_filters.ChoiceFilter(choices=Kind.choices, method="_by_selector")
    status = django_filters.ChoiceFilter(
        choices=[("open", gettext_lazy("Öppna")), *Deviation.Status.choices], method="_by_selector",
    )
    unit = IdFilter(method="_by_selector", help_text=gettext_lazy("Enheten och allt under den."))
    process = IdFilter(method="_by_selector")
    year = YearFilter(method="_by_selector", help_text=gettext_lazy("År för reported_at."))
    overdue = StrictBooleanFilter(method="_by_selector")
    q = django_filters.CharFilter(max_length=200, method="_by_selector",
                                  help_text=gettext_lazy("Fritextsökning."))

    class Meta:
        model = Deviation
        fields = ["kind", "status", "unit", "process", "year", "overdue", "q"]

    def _by_selector(self, qs, name, value):  # pragma: no cover - filter_queryset does the work
        return qs

    def filter_queryset(self, queryset):
        data = self.form.cleaned_data
        named = filter_objects(data, unit=Unit, process=Process)
        if named is None:
            return queryset.none()
        overdue = data.get("overdue") or ""
        queryset = deviation_filter(
            queryset, kind=data.get("kind") or None, status=data.get("status") or None, **named,
            year=data.get("year"), overdue=overdue in ("true", "1"), q=data.get("q"),
        )
        if overdue in ("false", "0"):
            queryset = queryset.exclude(status__in=Deviation.OPEN_STATUSES,
                                        next_due__lt=timezone.localdate())
        return queryset


# ---------------------------------------------------------------- views

def _detail(request, deviation: Deviation) -> dict:
    """The detail, with the read logged (DOMAIN.md A11)."""
    services.deviation_record_access(deviation=deviation, user=request.user, via="api")
    return DeviationSerializer(deviation, context={"request": request}).data


ERROR_400 = OpenApiResponse(description="Ogiltig indata: {\"fält\": [\"meddelande\"]}")
ERROR_403 = OpenApiResponse(description="Inom behörighet att se, men inte att göra detta.")
ERROR_404 = OpenApiResponse(description="Finns inte, eller utanför ditt ansvarsområde.")
CONFLICT = inline_serializer("TransitionConflict", fields={
    "detail": serializers.CharField(), "code": serializers.CharField(),
    "missing": serializers.ListField(child=serializers.CharField()),
})
ERROR_409 = OpenApiResponse(CONFLICT, description="Statusövergången är inte tillåten nu; `missing` "
                                                  "namnger det som saknas.")


class DeviationListCreateApi(generics.ListCreateAPIView):
    filterset_class = DeviationFilter

    def get_serializer_class(self):
        return DeviationListSerializer if self.request.method == "GET" else DeviationSerializer

    def get_queryset(self):
        return deviation_list_for_user(self.request.user).select_related("ivo_notification").order_by(
            "-reported_at", "-pk")

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "omit_history": True}

    @extend_schema(responses={200: DeviationListSerializer(many=True), 400: ERROR_400})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(request=DeviationCreateSerializer, responses={201: DeviationSerializer, 400: ERROR_400})
    def post(self, request):
        body = DeviationCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        data["unit"] = _unit_for_filing(request.user, data["unit"])
        data["process"] = _process_for_filing(request.user, data.pop("process", None))
        deviation = _call(services.deviation_file, actor=request.user, **data)
        return Response(DeviationSerializer(deviation, context={"request": request}).data,
                        status=status.HTTP_201_CREATED)


class DeviationDetailApi(APIView):
    @extend_schema(responses={200: DeviationSerializer, 404: ERROR_404})
    def get(self, request, pk: int):
        deviation = deviation_get_for_user(request.user, pk)
        return Response(_detail(request, deviation))


# ---------------------------------------------------------------- transitions

class ReceiveBody(serializers.Serializer):
    immediate_actions = _text_field(required=False, allow_blank=True, allow_null=True)
    kind = NamedChoiceField("DeviationKindEnum", Kind.choices, required=False, allow_null=True,
                         help_text=gettext_lazy("Omklassificering (loggas)."))


class StartInvestigationBody(serializers.Serializer):
    investigator = _id_field(required=False, allow_null=True)

    def validate_investigator(self, value):
        if value is None:
            return None
        user = get_user_model().objects.filter(pk=value, is_active=True).first()
        if user is None:
            raise serializers.ValidationError(_("Utredaren måste arbeta inom enheten."))
        return user


class ConcludeBody(serializers.Serializer):
    """Every kind's fields, all optional: what the kind still lacks answers 409 with `missing`."""

    what_happened = _text_field(required=False, allow_blank=True)
    consequences = _text_field(required=False, allow_blank=True)
    causes = _text_field(required=False, allow_blank=True)
    classification = ChoiceField(choices=Deviation.Classification.choices, required=False)
    decided_by = serializers.CharField(max_length=200, required=False, allow_blank=True)
    delegation_ref = serializers.CharField(max_length=100, required=False, allow_blank=True)
    answer = _text_field(required=False, allow_blank=True)
    answered_on = serializers.DateField(required=False, validators=[_not_in_future])
    anonymous = serializers.BooleanField(required=False)
    conclusion = _text_field(required=False, allow_blank=True)


class CloseBody(serializers.Serializer):
    feedback_given_on = serializers.DateField(validators=[_not_in_future])
    feedback = _text_field(required=False, allow_blank=True, default="")
    comment = _text_field(required=False, allow_blank=True, default="")
    no_action_reason = _text_field(required=False, allow_blank=True, default="")


class WithdrawBody(serializers.Serializer):
    reason = _text_field()


class ForwardBody(serializers.Serializer):
    forwarded_to = serializers.CharField(max_length=200)
    complainant_notified_on = serializers.DateField(validators=[_not_in_future])


DEVIATION_TRANSITIONS = {
    "receive": TransitionSpec(ReceiveBody, lambda d, u, **f: services.deviation_receive(
        deviation=d, actor=u, **f)),
    "start_investigation": TransitionSpec(StartInvestigationBody, lambda d, u, **f: (
        services.deviation_start_investigation(deviation=d, actor=u, **f))),
    "conclude": TransitionSpec(ConcludeBody, lambda d, u, **f: services.deviation_conclude(
        deviation=d, actor=u, **f)),
    "close": TransitionSpec(CloseBody, lambda d, u, **f: services.deviation_close(deviation=d, actor=u, **f)),
    "withdraw": TransitionSpec(WithdrawBody, lambda d, u, **f: services.deviation_withdraw(
        deviation=d, actor=u, **f)),
    "forward": TransitionSpec(ForwardBody, lambda d, u, **f: services.deviation_forward(
        deviation=d, actor=u, **f)),
}


def _may_take(obj, name: str, user) -> bool:
    """Whether the transition is the user's to take at all, whatever the current status:
    a 403 comes before the body's 400 and the status's 409."""
    meta = getattr(getattr(obj, name, None), "_django_fsm", None)
    return meta is not None and any(t.has_perm(obj, user) for t in meta.transitions.values())


class _GuardedTransitionApi(TransitionApi):
    """The shared transition endpoint with the permission asked first and domain input
    errors as 400 with the field."""

    def _respond(self, request, obj):
        return Response(self.detail_serializer(obj, context={"request": request}).data)

    def post(self, request, pk: int, name: str):
        obj = type(self).get_object_for_user(request.user, pk)
        spec = self.transitions.get(name)
        if spec is None:
            raise Http404
        if not _may_take(obj, name, request.user):
            raise PermissionDenied(_("Du har inte behörighet att göra detta."))
        body = spec.serializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            spec.run(obj, request.user, **body.validated_data)
        except services.DeviationValidationError as exc:
            raise _validation_error(exc) from exc
        obj.refresh_from_db()
        return self._respond(request, obj)


TRANSITION_BODY = inline_serializer("DeviationTransitionBody", fields={
    "immediate_actions": serializers.CharField(required=False),
    "kind": NamedChoiceField("DeviationKindEnum", Kind.choices, required=False),
    "investigator": serializers.IntegerField(required=False),
    "what_happened": serializers.CharField(required=False),
    "consequences": serializers.CharField(required=False),
    "causes": serializers.CharField(required=False),
    "classification": serializers.ChoiceField(choices=Deviation.Classification.choices, required=False),
    "decided_by": serializers.CharField(required=False),
    "delegation_ref": serializers.CharField(required=False),
    "answer": serializers.CharField(required=False),
    "answered_on": serializers.DateField(required=False),
    "anonymous": serializers.BooleanField(required=False),
    "conclusion": serializers.CharField(required=False),
    "feedback_given_on": serializers.DateField(required=False),
    "feedback": serializers.CharField(required=False),
    "comment": serializers.CharField(required=False),
    "no_action_reason": serializers.CharField(required=False),
    "reason": serializers.CharField(required=False),
    "forwarded_to": serializers.CharField(required=False),
    "complainant_notified_on": serializers.DateField(required=False),
})


@extend_schema(
    request=TRANSITION_BODY,
    parameters=[OpenApiParameter("name", OpenApiTypes.STR, OpenApiParameter.PATH, enum=TRANSITION_NAMES)],
    responses={200: DeviationSerializer, 400: ERROR_400, 403: ERROR_403, 404: ERROR_404, 409: ERROR_409},
    description="receive {immediate_actions?, kind?}; start_investigation {investigator?}; conclude: "
                "lex_sarah {what_happened, consequences, causes, classification}, complaint {answer, "
                "answered_on} or {anonymous: true}, other {conclusion}; close {feedback_given_on, "
                "comment?, no_action_reason?}; withdraw {reason}; forward {forwarded_to, "
                "complainant_notified_on}.",
)
class DeviationTransitionApi(_GuardedTransitionApi):
    detail_serializer = DeviationSerializer
    get_object_for_user = staticmethod(deviation_get_for_user)
    transitions = DEVIATION_TRANSITIONS

    def _respond(self, request, obj):
        return Response(_detail(request, obj))


# ---------------------------------------------------------------- IVO track

class IvoNotificationCreateBody(serializers.Serializer):
    sent_on = serializers.DateField(validators=[_not_in_future])
    ivo_reference = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")
    investigation_attached = serializers.BooleanField()


class SendInvestigationBody(serializers.Serializer):
    sent_on = serializers.DateField()


class RecordClosedBody(serializers.Serializer):
    decided_on = serializers.DateField(validators=[_not_in_future])


class RecordSupervisionBody(serializers.Serializer):
    """Links IVO's supervision decision, or (without `supervision_decision`) registers a new one."""

    supervision_decision = _id_field(
        required=False, allow_null=True, default=None,
        help_text=gettext_lazy("Ett befintligt tillsynsärende från IVO för enheten; utan värde skapas ett nytt."))
    reference = serializers.CharField(max_length=60, required=False, allow_blank=True, default="",
                                      help_text=gettext_lazy("Nytt ärende: IVO:s diarienummer (annars anmälans)."))
    received_on = serializers.DateField(required=False, allow_null=True, default=None, validators=[_not_in_future],
                                        help_text=gettext_lazy("Nytt ärende: när tillsynen inleddes (annars i dag)."))
    subject = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


def _notification_for_user(user, pk) -> IvoNotification:
    """The deviation's IVO notification, behind the deviation's access gate."""
    deviation = deviation_get_for_user(user, pk)
    notification = IvoNotification.objects.filter(deviation=deviation).first()
    if notification is None:
        raise Http404
    notification.deviation = deviation
    return notification


class IvoNotificationApi(APIView):
    @extend_schema(responses={200: IvoNotificationSerializer, 404: ERROR_404})
    def get(self, request, pk: int):
        notification = _notification_for_user(request.user, pk)
        return Response(IvoNotificationSerializer(notification, context={"request": request}).data)

    @extend_schema(
        request=IvoNotificationCreateBody,
        responses={201: IvoNotificationSerializer, 400: ERROR_400, 403: ERROR_403, 404: ERROR_404,
                   409: ERROR_409},
        description="Anmälan till IVO (lex Sarah, från mottagen): sektionschef eller kvalitetssamordnare.",
    )
    def post(self, request, pk: int):
        deviation = deviation_get_for_user(request.user, pk)
        if not records_ivo_for(request.user, deviation):
            raise PermissionDenied(_("Anmälan till IVO görs av sektionschef eller kvalitetssamordnare."))
        body = IvoNotificationCreateBody(data=request.data)
        body.is_valid(raise_exception=True)
        notification = _call(services.ivo_notification_create, deviation=deviation, actor=request.user,
                             **body.validated_data)
        notification.refresh_from_db()
        return Response(IvoNotificationSerializer(notification, context={"request": request}).data,
                        status=status.HTTP_201_CREATED)


@extend_schema(
    request=inline_serializer("IvoTransitionBody", fields={
        "sent_on": serializers.DateField(required=False),
        "decided_on": serializers.DateField(required=False),
        "supervision_decision": serializers.IntegerField(required=False),
        "reference": serializers.CharField(required=False),
        "received_on": serializers.DateField(required=False),
        "subject": serializers.CharField(required=False),
    }),
    parameters=[OpenApiParameter("name", OpenApiTypes.STR, OpenApiParameter.PATH, enum=IVO_TRANSITION_NAMES)],
    responses={200: IvoNotificationSerializer, 400: ERROR_400, 403: ERROR_403, 404: ERROR_404, 409: ERROR_409},
    description="send_investigation {sent_on}; record_closed {decided_on}; "
                "record_supervision {supervision_decision} links IVO's existing decision, or "
                "{reference?, received_on?, subject?} registers a new one (IVO, lex Sarah).",
)
class IvoNotificationTransitionApi(_GuardedTransitionApi):
    detail_serializer = IvoNotificationSerializer
    get_object_for_user = staticmethod(_notification_for_user)
    transitions = {
        "send_investigation": TransitionSpec(SendInvestigationBody, lambda n, u, **f: (
            services.ivo_send_investigation(notification=n, actor=u, **f))),
        "record_closed": TransitionSpec(RecordClosedBody, lambda n, u, **f: services.ivo_record_closed(
            notification=n, actor=u, **f)),
        "record_supervision": TransitionSpec(RecordSupervisionBody, lambda n, u, **f: (
            services.ivo_record_supervision(notification=n, actor=u, **f))),
    }


from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import generics, serializers, status
from rest_framework.response import Response

from riskmgmt.api.workflow import TransitionApi, TransitionSpec, WorkflowSerializerMixin

from . import services
from .models import TRANSITION_NAMES, Action
from .selectors import action_get_for_user, action_list_for_user
from .sources import action_source, action_source_for_model, action_source_keys


class ActionSerializer(WorkflowSerializerMixin, serializers.ModelSerializer):
    transition_names = TRANSITION_NAMES
    reference = serializers.CharField(read_only=True)
    source_type = serializers.SerializerMethodField()
    is_overdue = serializers.BooleanField(read_only=True)

    class Meta:
        model = Action
        fields = [
            "id", "reference", "source_type", "source_id", "unit", "title", "description",
            "responsible", "due_date", "strength", "effect_measure", "addresses_id", "predecessor",
            "status", "done_on", "completion_comment", "effect", "evaluation_comment",
            "evaluated_on", "cancel_reason", "created_by", "created", "is_overdue",
            "available_transitions", "history",
        ]
        read_only_fields = fields

    def get_source_type(self, action) -> str | None:
        source = action_source_for_model(action.source_content_type.model_class())
        return source.key if source else None


class ActionCreateSerializer(serializers.Serializer):
    source_type = serializers.CharField()
    source_id = serializers.IntegerField()
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    responsible = serializers.PrimaryKeyRelatedField(queryset=get_user_model().objects.filter(is_active=True))
    due_date = serializers.DateField()
    strength = serializers.ChoiceField(choices=Action.Strength.choices)
    effect_measure = serializers.CharField(required=False, allow_blank=True, default="")
    addresses_cause = serializers.IntegerField(required=False, allow_null=True)
    predecessor = serializers.IntegerField(required=False, allow_null=True)

    def validate_source_type(self, value):
        if action_source(value) is None:
            raise serializers.ValidationError(
                f"Okänd källa. Tillåtna: {', '.join(action_source_keys())}."
            )
        return value


class ActionFilter(filters.FilterSet):
    responsible = filters.CharFilter(method="filter_responsible")
    overdue = filters.BooleanFilter(method="filter_overdue")
    source_type = filters.CharFilter(method="filter_source_type")
    status = filters.ChoiceFilter(choices=Action.Status.choices)

    class Meta:
        model = Action
        fields = ["responsible", "overdue", "source_type", "status", "unit"]

    def filter_responsible(self, qs, name, value):
        if value == "me":
            return qs.filter(responsible=self.request.user)
        if value.isdigit():
            return qs.filter(responsible_id=int(value))
        raise serializers.ValidationError({"responsible": ["Ange ”me” eller ett användar-id."]})

    def filter_overdue(self, qs, name, value):
        overdue = {"status__in": Action.OPEN_STATUSES, "due_date__lt": timezone.localdate()}
        return qs.filter(**overdue) if value else qs.exclude(**overdue)

    def filter_source_type(self, qs, name, value):
        source = action_source(value)
        if source is None:
            raise serializers.ValidationError({"source_type": [f"Okänd källa: {value}."]})
        from django.contrib.contenttypes.models import ContentType

        return qs.filter(source_content_type=ContentType.objects.get_for_model(source.model))


class ActionListCreateApi(generics.ListCreateAPIView):
    serializer_class = ActionSerializer
    filterset_class = ActionFilter

    def get_queryset(self):
        return action_list_for_user(self.request.user).order_by("due_date", "pk")

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "omit_history": True}

    @extend_schema(request=ActionCreateSerializer, responses={201: ActionSerializer})
    def post(self, request):
        body = ActionCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        source = action_source(data.pop("source_type"))
        source_obj = source.get_for_user(request.user, data.pop("source_id"))
        predecessor_id = data.pop("predecessor", None)
        predecessor = action_get_for_user(request.user, predecessor_id) if predecessor_id else None
        addresses_cause = data.pop("addresses_cause", None)
        addresses = _cause(addresses_cause, source_obj) if addresses_cause else None
        if not source.can_add(request.user, source_obj):
            raise PermissionDenied("Du har inte behörighet att lägga till åtgärder här.")
        try:
            action = services.action_create(source_obj=source_obj, actor=request.user,
                                            predecessor=predecessor, addresses=addresses, **data)
        except services.ActionValidationError as exc:
            raise serializers.ValidationError({exc.field: [exc.message]}) from exc
        return Response(ActionSerializer(action, context={"request": request}).data,
                        status=status.HTTP_201_CREATED)


def _cause(cause_id, source_obj):
    """A cause of the same event analysis; other sources have no causes."""
    causes = getattr(source_obj, "causes", None)
    cause = causes.filter(pk=cause_id).first() if causes is not None else None
    if cause is None:
        raise serializers.ValidationError({"addresses_cause": ["Orsaken finns inte i den här analysen."]})
    return cause


class ActionDetailApi(generics.RetrieveAPIView):
    serializer_class = ActionSerializer
    queryset = Action.objects.none()

    def get_object(self):
        return action_get_for_user(self.request.user, self.kwargs["pk"])


class CommentBody(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class CompleteBody(serializers.Serializer):
    done_on = serializers.DateField()
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class EvaluateBody(serializers.Serializer):
    effect = serializers.ChoiceField(choices=Action.Effect.choices)
    comment = serializers.CharField()


class CancelBody(serializers.Serializer):
    reason = serializers.CharField()


@extend_schema(request=inline_serializer("ActionTransitionBody", fields={
    "comment": serializers.CharField(required=False), "done_on": serializers.DateField(required=False),
    "effect": serializers.ChoiceField(choices=Action.Effect.choices, required=False),
    "reason": serializers.CharField(required=False)}), responses=ActionSerializer)
class ActionTransitionApi(TransitionApi):
    detail_serializer = ActionSerializer
    get_object_for_user = staticmethod(action_get_for_user)
    transitions = {
        "start": TransitionSpec(CommentBody, lambda a, u, **d: services.action_start(action=a, actor=u, **d)),
        "complete": TransitionSpec(CompleteBody, lambda a, u, **d: services.action_complete(action=a, actor=u, **d)),
        "evaluate": TransitionSpec(EvaluateBody, lambda a, u, **d: services.action_evaluate(action=a, actor=u, **d)),
        "cancel": TransitionSpec(CancelBody, lambda a, u, **d: services.action_cancel(action=a, actor=u, **d)),
    }

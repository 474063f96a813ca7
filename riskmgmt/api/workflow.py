"""Pieces every workflow resource shares: the history list, available transitions, and the
`POST /<resource>/<id>/transitions/<name>/` endpoint (API.md conventions)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.http import Http404
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from riskmgmt.core.fsm import transition_log_for, transitions_available_to


class HistoryEntrySerializer(serializers.Serializer):
    transition = serializers.CharField(source="name")
    # "from" is a Python keyword, so these two are declared in __init__.
    by = serializers.IntegerField(source="by_id", allow_null=True)
    by_name = serializers.SerializerMethodField()
    at = serializers.DateTimeField()
    comment = serializers.CharField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["from"] = serializers.CharField(source="source")
        self.fields["to"] = serializers.CharField(source="target")

    def get_by_name(self, entry) -> str | None:
        return entry.by.full_name if entry.by else None


class WorkflowSerializerMixin(serializers.Serializer):
    """Adds status, available_transitions and history to a workflow object's detail."""

    transition_names: tuple[str, ...] = ()
    available_transitions = serializers.SerializerMethodField()
    history = serializers.SerializerMethodField()

    def get_fields(self):
        fields = super().get_fields()
        # Lists omit the history (one query per row); every detail includes it.
        if self.context.get("omit_history"):
            fields.pop("history", None)
        return fields

    def get_available_transitions(self, obj) -> list[str]:
        user = self.context["request"].user
        return transitions_available_to(obj, user, self.transition_names)

    def get_history(self, obj) -> list[dict]:
        return HistoryEntrySerializer(transition_log_for(obj), many=True).data


@dataclass(frozen=True)
class TransitionSpec:
    serializer: type[serializers.Serializer]
    run: Callable[..., object]  # service(obj=..., actor=..., **validated_data)


class TransitionApi(APIView):
    """POST a transition: 200 with the detail; 400 bad body, 403 not yours, 404 unknown, 409 guard."""

    transitions: dict[str, TransitionSpec] = {}
    detail_serializer: type[serializers.Serializer]
    get_object_for_user: Callable

    def get_serializer_class(self):  # for the schema
        return self.detail_serializer

    def post(self, request, pk: int, name: str):
        obj = type(self).get_object_for_user(request.user, pk)
        spec = self.transitions.get(name)
        if spec is None:
            raise Http404
        body = spec.serializer(data=request.data)
        body.is_valid(raise_exception=True)
        spec.run(obj, request.user, **body.validated_data)
        obj.refresh_from_db()
        return Response(self.detail_serializer(obj, context={"request": request}).data)

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from .models import Membership, Process, Unit
from .selectors import (
    process_get_for_user,
    process_list_for_user,
    unit_get_for_user,
    unit_list_for_user,
)


class UnitSerializer(serializers.ModelSerializer):
    class Meta:
        model = Unit
        fields = ["id", "code", "name", "kind", "parent"]


class ProcessSerializer(serializers.ModelSerializer):
    class Meta:
        model = Process
        fields = ["id", "name", "unit", "parent"]


class MembershipSerializer(serializers.ModelSerializer):
    unit_code = serializers.CharField(source="unit.code")

    class Meta:
        model = Membership
        fields = ["unit", "unit_code", "role"]


class MeSerializer(serializers.ModelSerializer):
    full_name = serializers.CharField()
    memberships = serializers.SerializerMethodField()

    class Meta:
        model = get_user_model()
        fields = ["id", "username", "full_name", "memberships"]

    def get_memberships(self, user) -> list[dict]:
        active = user.memberships.filter(is_active=True).select_related("unit")
        return MembershipSerializer(active, many=True).data


class MeApi(APIView):
    @extend_schema(responses=MeSerializer)
    def get(self, request):
        return Response(MeSerializer(request.user).data)


class IdFilter(django_filters.NumberFilter):
    """An id filtered as a plain integer.

    A model-choice filter answers 400 for an id that does not exist but 200 for one outside the
    caller's scope, which would reveal that it exists (API.md). The bound keeps a huge number
    from reaching the database (an overflow there is a 500).
    """

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 2**63 - 1)
        super().__init__(*args, **kwargs)


class UnitFilter(django_filters.FilterSet):
    parent = IdFilter()

    class Meta:
        model = Unit
        fields = ["kind", "parent"]


class ProcessFilter(django_filters.FilterSet):
    unit = IdFilter()
    parent = IdFilter()

    class Meta:
        model = Process
        fields = ["unit", "parent"]


class UnitListApi(generics.ListAPIView):
    serializer_class = UnitSerializer
    filterset_class = UnitFilter

    def get_queryset(self):
        return unit_list_for_user(self.request.user)


class UnitDetailApi(generics.RetrieveAPIView):
    serializer_class = UnitSerializer
    queryset = Unit.objects.none()

    def get_object(self):
        return unit_get_for_user(self.request.user, self.kwargs["pk"])


class ProcessListApi(generics.ListAPIView):
    serializer_class = ProcessSerializer
    filterset_class = ProcessFilter

    def get_queryset(self):
        return process_list_for_user(self.request.user)


class ProcessDetailApi(generics.RetrieveAPIView):
    serializer_class = ProcessSerializer
    queryset = Process.objects.none()

    def get_object(self):
        return process_get_for_user(self.request.user, self.kwargs["pk"])

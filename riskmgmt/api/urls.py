"""REST API v1 (API.md). Each app keeps its views in its own api.py; the wiring is here."""

from django.urls import path
from rest_framework.authtoken.views import obtain_auth_token

from riskmgmt.actions import api as actions_api
from riskmgmt.deviations import api as deviations_api
from riskmgmt.organisation import api as organisation_api

app_name = "api"

urlpatterns = [
    path("auth/token/", obtain_auth_token, name="token"),
    path("me/", organisation_api.MeApi.as_view(), name="me"),
    path("units/", organisation_api.UnitListApi.as_view(), name="unit-list"),
    path("units/<int:pk>/", organisation_api.UnitDetailApi.as_view(), name="unit-detail"),
    path("processes/", organisation_api.ProcessListApi.as_view(), name="process-list"),
    path("processes/<int:pk>/", organisation_api.ProcessDetailApi.as_view(), name="process-detail"),
    path("actions/", actions_api.ActionListCreateApi.as_view(), name="action-list"),
    path("actions/<int:pk>/", actions_api.ActionDetailApi.as_view(), name="action-detail"),
    path("actions/<int:pk>/transitions/<slug:name>/", actions_api.ActionTransitionApi.as_view(),
         name="action-transition"),
    path("deviations/", deviations_api.DeviationListCreateApi.as_view(), name="deviation-list"),
    path("deviations/<int:pk>/", deviations_api.DeviationDetailApi.as_view(), name="deviation-detail"),
    path("deviations/<int:pk>/transitions/<slug:name>/", deviations_api.DeviationTransitionApi.as_view(),
         name="deviation-transition"),
    path("deviations/<int:pk>/ivo-notification/", deviations_api.IvoNotificationApi.as_view(),
         name="deviation-ivo-notification"),
    path("deviations/<int:pk>/ivo-notification/transitions/<slug:name>/",
         deviations_api.IvoNotificationTransitionApi.as_view(), name="deviation-ivo-transition"),
]

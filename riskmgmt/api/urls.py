"""REST API v1 (API.md). Each app keeps its views in its own api.py; the wiring is here."""

from django.urls import path
from rest_framework.authtoken.views import obtain_auth_token

from riskmgmt.actions import api as actions_api
from riskmgmt.analyses import api as analyses_api
from riskmgmt.controls import api as controls_api
from riskmgmt.deviations import api as deviations_api
from riskmgmt.organisation import api as organisation_api
from riskmgmt.reports import api as reports_api
from riskmgmt.risks import api as risks_api
from riskmgmt.supervision import api as supervision_api

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
    path("event-analyses/", analyses_api.EventAnalysisListCreateApi.as_view(), name="event-analysis-list"),
    path("event-analyses/<int:pk>/", analyses_api.EventAnalysisDetailApi.as_view(), name="event-analysis-detail"),
    path("event-analyses/<int:pk>/timeline/", analyses_api.TimelineListCreateApi.as_view(),
         name="event-analysis-timeline"),
    path("event-analyses/<int:pk>/timeline/<int:entry_pk>/", analyses_api.TimelineEntryApi.as_view(),
         name="event-analysis-timeline-entry"),
    path("event-analyses/<int:pk>/causes/", analyses_api.CauseListCreateApi.as_view(), name="event-analysis-causes"),
    path("event-analyses/<int:pk>/causes/<int:cause_pk>/", analyses_api.CauseApi.as_view(),
         name="event-analysis-cause"),
    path("event-analyses/<int:pk>/transitions/<slug:name>/", analyses_api.EventAnalysisTransitionApi.as_view(),
         name="event-analysis-transition"),
    path("event-analyses/<int:pk>/report/", analyses_api.EventAnalysisReportApi.as_view(),
         name="event-analysis-report"),
    path("deviations/", deviations_api.DeviationListCreateApi.as_view(), name="deviation-list"),
    path("deviations/<int:pk>/", deviations_api.DeviationDetailApi.as_view(), name="deviation-detail"),
    path("deviations/<int:pk>/transitions/<slug:name>/", deviations_api.DeviationTransitionApi.as_view(),
         name="deviation-transition"),
    path("deviations/<int:pk>/ivo-notification/", deviations_api.IvoNotificationApi.as_view(),
         name="deviation-ivo-notification"),
    path("deviations/<int:pk>/ivo-notification/transitions/<slug:name>/",
         deviations_api.IvoNotificationTransitionApi.as_view(), name="deviation-ivo-transition"),
    # Later apps keep their routes beside their views.
    *risks_api.api_urlpatterns,
    *supervision_api.api_urlpatterns,
    *controls_api.api_urlpatterns,
    *reports_api.api_urlpatterns,
]

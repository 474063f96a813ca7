from django.urls import path

from . import report_views, views

app_name = "analyses"

urlpatterns = [
    # Workspace and decisions, in views
    path("", views.analysis_list, name="list"),
    path("ny/", views.analysis_create, name="create"),
    path("<int:pk>/", views.analysis_detail, name="detail"),
    path("<int:pk>/rapporttext/", views.analysis_save_report, name="save-report"),
    path("<int:pk>/tidslinje/", views.timeline_entry_create, name="timeline-create"),
    path("<int:pk>/tidslinje/<int:entry_pk>/", views.timeline_entry_edit, name="timeline-edit"),
    path("<int:pk>/tidslinje/<int:entry_pk>/ta-bort/", views.timeline_entry_delete, name="timeline-delete"),
    path("<int:pk>/orsaker/", views.cause_create, name="cause-create"),
    path("<int:pk>/orsaker/<int:cause_pk>/", views.cause_edit, name="cause-edit"),
    path("<int:pk>/orsaker/<int:cause_pk>/ta-bort/", views.cause_delete, name="cause-delete"),
    path("<int:pk>/overgang/<slug:name>/", views.analysis_transition, name="transition"),
    # Pictures and the analysis report, in report_views
    path("<int:pk>/orsaksdiagram.svg", report_views.cause_diagram_svg, name="cause-diagram"),
    path("<int:pk>/tidslinje.svg", report_views.timeline_svg, name="timeline-diagram"),
    path("<int:pk>/rapport/", report_views.analysis_report, name="report"),
    path("<int:pk>/rapport.pdf", report_views.analysis_report_pdf, name="report-pdf"),
]

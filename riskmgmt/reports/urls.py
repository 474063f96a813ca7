from django.urls import path

from . import dashboard_views, quality_views

app_name = "reports"

urlpatterns = [
    # Dashboards and the pattern view (SOSFS 2011:9 5 kap. 6 §), in dashboard_views
    path("", dashboard_views.dashboard, name="dashboard"),
    path("monster/", dashboard_views.patterns, name="patterns"),
    # The kvalitetsberättelse, in quality_views
    path("kvalitetsberattelse/", quality_views.report_choose, name="quality"),
    path("kvalitetsberattelse/<int:unit>/<int:year>/", quality_views.report_detail, name="quality-detail"),
    path("kvalitetsberattelse/<int:unit>/<int:year>/text/<slug:section>/", quality_views.narrative_edit,
         name="narrative-edit"),
    path("kvalitetsberattelse/<int:unit>/<int:year>/pdf/", quality_views.report_pdf, name="quality-pdf"),
    path("kvalitetsberattelse/<int:unit>/<int:year>/tabeller.xlsx", quality_views.report_xlsx, name="quality-xlsx"),
    path("jobb/<int:pk>/", quality_views.job_status, name="job"),
    path("jobb/<int:pk>/fil/", quality_views.job_download, name="job-download"),
]

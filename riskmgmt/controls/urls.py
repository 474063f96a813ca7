from django.urls import path

from . import views

app_name = "controls"

urlpatterns = [
    path("", views.control_plan, name="list"),
    path("ny/", views.point_create, name="point-create"),
    path("punkt/<int:pk>/andra/", views.point_edit, name="point-edit"),
    path("punkt/<int:pk>/registrera/", views.check_record, name="record"),
    path("kontroll/<int:pk>/", views.check_detail, name="check-detail"),
    path("kontroll/<int:pk>/rapportera-avvikelse/", views.check_report_deviation, name="report-deviation"),
]

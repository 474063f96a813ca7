from django.urls import path

from . import views

app_name = "deviations"

urlpatterns = [
    path("<int:pk>/", views.deviation_detail, name="detail"),
]

from django.urls import path

from . import process_views

app_name = "processes"

urlpatterns = [
    path("<int:pk>/", process_views.process_detail, name="detail"),
]

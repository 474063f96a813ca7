from django.urls import path

from . import views

app_name = "analyses"

urlpatterns = [
    path("<int:pk>/", views.analysis_detail, name="detail"),
]

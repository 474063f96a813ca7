from django.urls import path

from . import views

app_name = "actions"

urlpatterns = [
    path("mina/", views.action_mine, name="mine"),
]

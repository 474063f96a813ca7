from django.urls import path

from . import views

app_name = "actions"

urlpatterns = [
    path("", views.action_list, name="list"),
    path("mina/", views.action_mine, name="mine"),
    path("<int:pk>/", views.action_detail, name="detail"),
    path("<int:pk>/andra/", views.action_edit, name="edit"),
    path("<int:pk>/<slug:name>/", views.action_transition, name="transition"),
    path("ny/<slug:source_type>/<int:source_id>/", views.action_create, name="create"),
    path("enhet/<int:unit_pk>/", views.unit_plan, name="unit-plan"),
]

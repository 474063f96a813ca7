from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("", views.notification_list, name="list"),
    path("<int:pk>/las/", views.notification_mark_read, name="mark-read"),
    path("las-alla/", views.notification_mark_all_read, name="mark-all-read"),
]

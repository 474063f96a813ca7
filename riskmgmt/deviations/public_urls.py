from django.urls import path

from . import filing

app_name = "public"

urlpatterns = [
    path("", filing.public_complaint, name="complaint"),
    path("tack/", filing.public_complaint_thanks, name="complaint-thanks"),
]

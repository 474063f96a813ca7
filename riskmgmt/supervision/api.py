"""Stub; the API is being written."""

api_urlpatterns = []

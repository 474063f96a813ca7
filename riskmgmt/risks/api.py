"""Stub; the risk API is being written."""

api_urlpatterns = []

"""/api/: the public read API (see articles/outbound/api.py and the OpenAPI document at
/api/schema/)."""

from django.urls import re_path

from . import api

app_name = "api"

urlpatterns = [
    *api.url_patterns(),
    # Any path at all, a newline in it too (`.` would stop there and leave it to the HTML 404).
    re_path(r"^[\s\S]*\Z", api.read_only(api.unknown_endpoint), name="unknown"),
]

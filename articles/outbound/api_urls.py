"""/api/: the public read API (see articles/outbound/api.py and the OpenAPI document at
/api/schema/)."""

from django.urls import re_path

from . import api

app_name = "api"

urlpatterns = [
    *api.url_patterns(),
    re_path(r"^.*$", api.read_only(api.unknown_endpoint), name="unknown"),
]

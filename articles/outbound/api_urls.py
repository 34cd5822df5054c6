"""/api/: the public read API (see articles/outbound/api.py and the OpenAPI document at
/api/schema/)."""

from django.urls import path, re_path

from . import api

app_name = "api"

urlpatterns = [
    path("", api.api_root, name="root"),
    path("articles/", api.article_list, name="articles"),
    path("articles/<int:pk>/", api.article_detail, name="article"),
    path("articles/<int:pk>.ninjs", api.article_ninjs, name="article-ninjs"),
    path("tags/", api.tag_list, name="tags"),
    path("sources/", api.source_list, name="sources"),
    path("schema/", api.openapi_schema, name="schema"),
    re_path(r"^.*$", api.unknown_endpoint, name="unknown"),
]

"""The reader's pages (namespace "articles")."""

from django.urls import path, re_path

from ..editorial import previews
from . import search_page, views

app_name = "articles"

urlpatterns = [
    path("", views.front_page, name="front"),
    re_path(
        r"^(?P<year>[0-9]{4})/(?P<month>[0-9]{2})/(?P<day>[0-9]{2})/(?P<slug>[-\w]+)/$",
        views.article_detail,
        name="detail",
    ),
    re_path(
        r"^(?P<year>[0-9]{4})/(?P<month>[0-9]{2})/(?P<day>[0-9]{2})/(?P<slug>[-\w]+)/updates\.json$",
        views.live_updates_json,
        name="live_updates",
    ),
    path("tags/", views.tag_index, name="tag_index"),
    # Tag slugs may be non-Latin ("россия"), so \w (Unicode) rather than the ASCII <slug:>.
    re_path(r"^tags/(?P<slug>[-\w]+)/$", views.tag_detail, name="tag"),
    path("search/", search_page.search, name="search"),
    path("sources/<slug:slug>/", views.source_detail, name="source"),
    # A share-preview link: one story, to anyone holding a valid signed token.
    path("preview/<str:token>/", previews.shared_preview, name="shared_preview"),
]

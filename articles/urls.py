from django.urls import path, re_path

from . import views

app_name = "articles"

urlpatterns = [
    path("", views.front_page, name="front"),
    re_path(
        r"^(?P<year>[0-9]{4})/(?P<month>[0-9]{2})/(?P<day>[0-9]{2})/(?P<slug>[-\w]+)/$",
        views.article_detail,
        name="detail",
    ),
    path("tags/<slug:slug>/", views.tag_detail, name="tag"),
    path("sources/<slug:slug>/", views.source_detail, name="source"),
]

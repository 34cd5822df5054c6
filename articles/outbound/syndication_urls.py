"""Feeds, sitemaps and robots.txt: how readers' software and crawlers find the stories."""

from django.urls import path, re_path

from . import feeds, sitemaps

app_name = "syndication"

urlpatterns = [
    path("feeds/latest.rss", feeds.StoryFeed.as_view(), name="latest-rss"),
    path("feeds/latest.atom", feeds.LatestAtomFeed.as_view(), name="latest-atom"),
    path("feeds/latest.json", feeds.latest_json_feed, name="latest-json"),
    # One language's stories: /feeds/fr/latest.atom.
    path("feeds/<slug:language>/latest.rss", feeds.LanguageFeed.as_view(), name="language-rss"),
    path(
        "feeds/<slug:language>/latest.atom",
        feeds.LanguageAtomFeed.as_view(),
        name="language-atom",
    ),
    # Tag slugs may be non-Latin, as on the tag pages themselves.
    re_path(r"^tags/(?P<slug>[-\w]+)/feed\.rss$", feeds.TagFeed.as_view(), name="tag-rss"),
    re_path(r"^tags/(?P<slug>[-\w]+)/feed\.atom$", feeds.TagAtomFeed.as_view(), name="tag-atom"),
    path("sources/<slug:slug>/feed.rss", feeds.SourceFeed.as_view(), name="source-rss"),
    path("sources/<slug:slug>/feed.atom", feeds.SourceAtomFeed.as_view(), name="source-atom"),
    path("authors/<slug:slug>/feed.rss", feeds.AuthorFeed.as_view(), name="author-rss"),
    path("authors/<slug:slug>/feed.atom", feeds.AuthorAtomFeed.as_view(), name="author-atom"),
    path("sitemap.xml", sitemaps.sitemap_index, name="sitemap-index"),
    path("sitemap-<slug:section>.xml", sitemaps.sitemap_section, name="sitemap-section"),
    path("robots.txt", sitemaps.robots_txt, name="robots"),
]

"""Sitemaps: an index at /sitemap.xml over stories (with lastmod), tags and sources, a Google News
sitemap of the last 48 hours, and /robots.txt pointing at them.

Only `Article.objects.published()` stories count, for stories and for which tags and sources are
listed. Every URL is on settings.SITE_URL.
"""

import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps.views import sitemap as sitemap_view
from django.db.models import Max, Q
from django.http import Http404, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import http_date
from django.views.decorators.http import require_GET

from ..models import Article, Source, Tag
from .links import absolute_url, story_updated

NEWS_WINDOW = datetime.timedelta(hours=48)
NEWS_LIMIT = 1000  # Google News reads at most 1,000 URLs per news sitemap


class SiteUrlSitemap(Sitemap):
    """URLs on settings.SITE_URL rather than on the Host header of the request."""

    def get_protocol(self, protocol=None):
        return urlsplit(settings.SITE_URL).scheme or "https"

    def get_domain(self, site=None):
        return urlsplit(settings.SITE_URL).netloc


class StorySitemap(SiteUrlSitemap):
    limit = 10_000

    def items(self):
        return (
            Article.objects.published()
            .newest_first()
            .only("pk", "slug", "published_at", "created_at", "content_updated_at")
        )

    def lastmod(self, article):
        return story_updated(article)

    def latest(self):
        latest = Article.objects.published().aggregate(
            published=Max("published_at"), updated=Max("content_updated_at")
        )
        # A content update of an old story counts, but never a future-dated one.
        moments = [m for m in latest.values() if m is not None and m <= timezone.now()]
        return max(moments, default=None)


def _published_story_ids():
    return Article.objects.published().values("pk")


class TagSitemap(SiteUrlSitemap):
    """Tags with at least one published story; lastmod is their newest story's publication."""

    relation = "tagged_articles__content_object"
    model = Tag

    def items(self):
        in_published = Q(**{f"{self.relation}__in": _published_story_ids()})
        return (
            self.model.objects.annotate(
                newest=Max(f"{self.relation}__published_at", filter=in_published)
            )
            .filter(newest__isnull=False)
            .order_by("name", "pk")
        )

    def lastmod(self, obj):
        return obj.newest

    def latest(self):
        return max((obj.newest for obj in self.items()), default=None)


class SourceSitemap(TagSitemap):
    relation = "articles"
    model = Source


class NewsSitemap(StorySitemap):
    """Stories published in the last 48 hours, for Google News."""

    limit = NEWS_LIMIT

    def items(self):
        since = timezone.now() - NEWS_WINDOW
        return super().items().filter(published_at__gte=since)[:NEWS_LIMIT]


SECTIONS = {"stories": StorySitemap, "tags": TagSitemap, "sources": SourceSitemap}


@require_GET
def sitemap_index(request):
    """The sitemap index: each section (and page of a long section) with its lastmod."""
    entries = []
    for section, sitemap_class in [*SECTIONS.items(), ("news", NewsSitemap)]:
        sitemap = sitemap_class()
        location = absolute_url(reverse("syndication:sitemap-section", args=[section]))
        pages = 1 if section == "news" else sitemap.paginator.num_pages
        lastmod = sitemap.latest()
        entries.append({"location": location, "lastmod": lastmod})
        entries.extend(
            {"location": f"{location}?p={page}", "lastmod": lastmod} for page in range(2, pages + 1)
        )
    response = TemplateResponse(
        request,
        "articles/sitemaps/sitemap_index.xml",
        {"sitemaps": entries},
        content_type="application/xml",
    )
    moments = [entry["lastmod"] for entry in entries if entry["lastmod"]]
    if moments:
        response["Last-Modified"] = http_date(max(moments).timestamp())
    response["X-Robots-Tag"] = "noindex, noodp, noarchive"
    return response


@require_GET
def sitemap_section(request, section):
    if section == "news":
        return sitemap_view(
            request,
            {"news": NewsSitemap},
            section="news",
            template_name="articles/sitemaps/sitemap_news.xml",
        )
    if section not in SECTIONS:
        raise Http404("No such sitemap.")
    return sitemap_view(
        request, SECTIONS, section=section, template_name="articles/sitemaps/sitemap.xml"
    )


@require_GET
def robots_txt(request):
    """Crawlers may read the public site but not the admin or draft previews."""
    lines = [
        "User-agent: *",
        f"Disallow: {reverse('admin:index')}",
        "Disallow: /preview/",
        "",
        f"Sitemap: {absolute_url(reverse('syndication:sitemap-index'))}",
        f"Sitemap: {absolute_url(reverse('syndication:sitemap-section', args=['news']))}",
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")

"""Sitemaps: an index at /sitemap.xml over a file of stories per month (with lastmod), tags and
sources, a Google News sitemap of the last 48 hours when there are such stories, and /robots.txt
pointing at them. Every file is bounded (a month's stories, in pages of 2,000), so none grows
with the archive, and the index is built from the kept counts.

Only `Article.objects.published()` stories count, for stories and for which tags and sources are
listed. Every URL is on settings.SITE_URL.
"""

import datetime
import re
from collections import defaultdict
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps.views import sitemap as sitemap_view
from django.db.models import OuterRef, Q, Subquery
from django.http import Http404, HttpResponse, HttpResponsePermanentRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import http_date
from django.views.decorators.http import require_GET

from ..languages import codes, url_prefix
from ..models import Article, Source, Tag
from ..search.models import Counted, ListedUnder, ListingCount, StoryListing
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
    """The published stories of one month (UTC), newest first: each file is bounded by a month's
    stories (and split in pages of 2,000), however large the archive."""

    # A URL costs about 0.1 ms to build (its address, lastmod and alternates): a page of 10,000
    # took 0.9 s at 1,000,000 stories. The protocol allows 50,000; crawlers follow the pages.
    limit = 2_000

    def __init__(self, month: int):
        self.month = month  # yyyymm
        year, number = divmod(month, 100)
        self.start = datetime.datetime(year, number, 1, tzinfo=datetime.UTC)
        self.end = datetime.datetime(year + number // 12, number % 12 + 1, 1, tzinfo=datetime.UTC)

    def items(self):
        return (
            Article.objects.published()
            .filter(published_at__gte=self.start, published_at__lt=self.end)
            .newest_first()
            .with_translations_flag()
            .only(
                "pk",
                "slug",
                "language",
                "translation_of",
                "published_at",
                "created_at",
                "content_updated_at",
            )
        )

    def lastmod(self, article):
        return story_updated(article)

    def get_urls(self, page=1, site=None, protocol=None):
        """Each story's URL, with its published translations (and original) as alternates
        (`<xhtml:link rel="alternate" hreflang>`), found in one query for the whole page."""
        urls = super().get_urls(page=page, site=site, protocol=protocol)
        translated = [url for url in urls if url["item"].may_have_versions]
        if not translated:
            return urls
        roots = {url["item"].translation_of_id or url["item"].pk for url in translated}
        versions = (
            Article.objects.published()
            .filter(Q(pk__in=roots) | Q(translation_of_id__in=roots))
            .only("pk", "slug", "language", "translation_of", "published_at", "created_at")
        )
        by_root = defaultdict(list)
        for version in versions:
            by_root[version.translation_of_id or version.pk].append(version)
        for url in translated:
            story = url["item"]
            group = by_root.get(story.translation_of_id or story.pk, [])
            if len(group) > 1:
                url["alternates"] = [
                    {
                        "language": version.language,
                        "location": absolute_url(version.get_absolute_url()),
                    }
                    for version in sorted(group, key=lambda version: version.language)
                ]
        return urls


class ListedUnderSitemap(SiteUrlSitemap):
    """Tags (or sources) with published stories; lastmod is when their set of stories last
    changed (a story added, edited or taken away)."""

    model, listed_under = Tag, ListedUnder.TAG

    def items(self):
        changed = ListingCount.objects.filter(
            kind=self.listed_under, target=OuterRef("pk"), other=0
        ).values("changed_at")
        return (
            self.model.objects.with_published_stories()
            .annotate(changed_at=Subquery(changed))
            .order_by("name", "pk")
        )

    def lastmod(self, obj):
        return obj.changed_at

    @classmethod
    def last_changed(cls) -> datetime.datetime | None:
        """The newest lastmod of this file, without reading every tag: the kept counts are read
        newest change first until one has published stories (the first, unless only scheduled
        stories changed since)."""
        newest_first = (
            ListingCount.objects.filter(kind=cls.listed_under, other=0, listed__gt=0)
            .order_by("-changed_at")
            .values_list("target", "changed_at")
        )
        start, batch = 0, 20
        while rows := list(newest_first[start : start + batch]):
            published = ListingCount.objects.due(cls.listed_under, [target for target, _ in rows])
            for target, changed_at in rows:
                if published[target]:
                    return changed_at
            start, batch = start + batch, batch * 4
        return None


class SourceSitemap(ListedUnderSitemap):
    model, listed_under = Source, ListedUnder.SOURCE


class NewsSitemap(SiteUrlSitemap):
    """Stories published in the last 48 hours, and live coverage still running, for Google
    News."""

    limit = NEWS_LIMIT

    def items(self):
        since = timezone.now() - NEWS_WINDOW
        # Found first by their own index: an OR over two columns would read the archive.
        live_now = (
            Article.objects.filter(live_started_at__isnull=False, live_ended_at__isnull=True)
            .order_by()
            .values_list("pk", flat=True)[:NEWS_LIMIT]
        )
        return (
            Article.objects.published()
            .filter(Q(published_at__gte=since) | Q(pk__in=list(live_now)))
            .newest_first()
            .only("pk", "slug", "language", "headline", "published_at", "created_at")[:NEWS_LIMIT]
        )


SECTIONS = {"tags": ListedUnderSitemap, "sources": SourceSitemap}
_MONTH_SECTION = re.compile(r"\Astories-(\d{4})-(\d{2})\Z")


def _months() -> list[tuple[int, int, datetime.datetime]]:
    """(yyyymm, published stories, when they last changed) for each month with any, newest
    first. A scheduled story that has since come out counts as a change of its month."""
    counts = ListingCount.objects.due(Counted.MONTH)
    changed = dict(
        ListingCount.objects.filter(kind=Counted.MONTH, target__in=counts).values_list(
            "target", "changed_at"
        )
    )
    newest = StoryListing.objects.due().newest_first().values_list("published_at", flat=True)
    newest = newest.first()
    if newest is not None:
        newest_utc = newest.astimezone(datetime.UTC)
        newest_month = newest_utc.year * 100 + newest_utc.month
        if newest_month in changed:
            changed[newest_month] = max(changed[newest_month], newest)
    return [(month, counts[month], changed[month]) for month in sorted(counts, reverse=True)]


def _location(section: str) -> str:
    return absolute_url(reverse("syndication:sitemap-section", args=[section]))


@require_GET
def sitemap_index(request):
    """The sitemap index: a file of stories per month (and page of a long month), tags,
    sources, and the news sitemap when it has stories, each with its lastmod."""
    entries = []
    for month, count, changed in _months():
        location = _location(f"stories-{month // 100}-{month % 100:02d}")
        pages = -(-count // StorySitemap.limit)
        entries.append({"location": location, "lastmod": changed})
        entries += [
            {"location": f"{location}?p={page}", "lastmod": changed} for page in range(2, pages + 1)
        ]
    for section, sitemap_class in SECTIONS.items():
        changed = sitemap_class.last_changed()
        if changed is not None:
            entries.append({"location": _location(section), "lastmod": changed})
    if _has_news():
        entries.append({"location": _location("news"), "lastmod": None})
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


def _has_news() -> bool:
    return NewsSitemap().items().exists()


@require_GET
def sitemap_section(request, section):
    if section == "news":
        # An empty <urlset> is not valid against Google's news schema: there is no such file.
        if not _has_news():
            raise Http404("No story in the last 48 hours.")
        return sitemap_view(
            request,
            {"news": NewsSitemap},
            section="news",
            template_name="articles/sitemaps/sitemap_news.xml",
        )
    if section == "stories":  # the one file of every story, before files per month
        return HttpResponsePermanentRedirect(reverse("syndication:sitemap-index"))
    if found := _MONTH_SECTION.match(section):
        year, month = int(found[1]), int(found[2])
        if not 1 <= month <= 12:
            raise Http404("No such sitemap.")
        sitemaps = {section: StorySitemap(year * 100 + month)}
    elif section in SECTIONS:
        sitemaps = {section: SECTIONS[section]}
    else:
        raise Http404("No such sitemap.")
    return sitemap_view(
        request, sitemaps, section=section, template_name="articles/sitemaps/sitemap.xml"
    )


@require_GET
def robots_txt(request):
    """Crawlers may read the public site but not the admin or draft previews."""
    lines = [
        "User-agent: *",
        f"Disallow: {reverse('admin:index')}",
        "Disallow: /preview/",
        *(f"Disallow: /{code}/preview/" for code in codes() if url_prefix(code)),
        "",
        f"Sitemap: {absolute_url(reverse('syndication:sitemap-index'))}",
    ]
    if _has_news():
        lines.append(f"Sitemap: {_location('news')}")
    lines.append("")
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")

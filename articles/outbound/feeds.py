"""RSS 2.0, Atom and JSON Feed 1.1 for the latest stories, each tag and each source.

Only `Article.objects.published()` stories appear. Each item has the title, link, published and
updated dates, the byline (or the sources) as author, tags as categories, the standfirst as summary,
the full sanitised body as content, and the lead photo as an enclosure plus a Media RSS element with
its caption and credit. Every absolute URL is on settings.SITE_URL.
"""

import json

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.feedgenerator import Atom1Feed, Enclosure, Rss201rev2Feed
from django.utils.html import conditional_escape, escape
from django.utils.translation import gettext
from django.views.decorators.http import require_GET

from ..html import sanitize_body
from ..languages import codes, name_of
from ..models import Article, Author, AuthorRedirect, Source, Tag, site_root
from ..search.models import ListedUnder, StoryListing
from ..search.results import NewestIds, stories_in_order
from . import live
from .links import absolute_url, lead_photo_url, stored_file_size, story_updated

FEED_ITEMS = 30
MEDIA_RSS_NS = "http://search.yahoo.com/mrss/"
CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"


def _dimensions(photo) -> dict:
    if not (photo["width"] and photo["height"]):
        return {}
    return {"width": str(photo["width"]), "height": str(photo["height"])}


def _add_media_element(handler, item):
    photo = item.get("photo")
    if not photo:
        return
    handler.startElement(
        "media:content",
        {
            "url": photo["url"],
            "medium": "image",
            "type": photo["type"],
            **_dimensions(photo),
        },
    )
    if photo["caption"]:
        handler.addQuickElement("media:description", photo["caption"], {"type": "plain"})
    if photo["credit"]:
        handler.addQuickElement("media:credit", photo["credit"])
    handler.endElement("media:content")


class NewsRssFeed(Rss201rev2Feed):
    """RSS 2.0 with the full story in content:encoded and the photo as media:content."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Readers render a channel's description as HTML, like an item's: the plain text (a tag
        # or source name in it) is escaped as HTML here, then as XML when written.
        self.feed["description"] = escape(self.feed["description"])

    def rss_attributes(self):
        return super().rss_attributes() | {"xmlns:content": CONTENT_NS, "xmlns:media": MEDIA_RSS_NS}

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        if item.get("content_html"):
            handler.addQuickElement("content:encoded", item["content_html"])
        _add_media_element(handler, item)


class NewsAtomFeed(Atom1Feed):
    """Atom with the full story as <content type="html"> and the photo as media:content."""

    def root_attributes(self):
        return super().root_attributes() | {"xmlns:media": MEDIA_RSS_NS}

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        if item.get("content_html"):
            handler.addQuickElement("content", item["content_html"], {"type": "html"})
        _add_media_element(handler, item)


def photo_details(article) -> dict | None:
    """What feeds say about the lead photo, or None when there is no file to point at."""
    url = lead_photo_url(article)
    if not url:
        return None
    image = article.public_lead_image
    size = stored_file_size(image.file)
    if size is None:  # e.g. the row outlived its file: say nothing rather than link to a 404
        return None
    return {
        "url": url,
        "size": size,
        "type": _image_type(image.file.name),
        "width": image.width,
        "height": image.height,
        "caption": image.caption,
        "credit": image.display_credit,
        "alt_text": image.alt_text,
    }


def _image_type(name: str) -> str:
    extension = name.rsplit(".", 1)[-1].lower()
    return {
        "jpg": "image/jpeg",
        "jpeg": "image/jpeg",
        "png": "image/png",
        "webp": "image/webp",
        "gif": "image/gif",
        "avif": "image/avif",
    }.get(extension, "application/octet-stream")


def feed_item_content(article) -> str:
    """The full story for a feed reader: the body, its live updates (newest first), then its
    corrections and updates (newest first, as on the page). Needs `corrections` prefetched.
    Their words and dates are in the story's language, whichever feed carries it."""
    with translation.override(article.language):
        corrections = render_to_string("articles/includes/corrections.html", {"article": article})
        stream = ""
        if updates := live.shown_updates(article):
            stream = render_to_string(
                "articles/includes/live_feed.html", {"article": article, "updates": updates}
            ).strip()
    return sanitize_body(article.body) + stream + corrections.strip()


def feed_item_updated(article):
    """When the story last changed for readers, a correction, update note or live update
    included."""
    times = [
        story_updated(article),
        *(c.created_at for c in article.corrections.all()),
        live.last_changed(article),
    ]
    return max(time for time in times if time is not None)


def author_name(article) -> str:
    """The byline ("By A and B; reporting by C" without the "By"), in the story's language, or
    else the credited sources ("Al Jazeera, News Agencies")."""
    with translation.override(article.language):
        byline = article.byline_text(leading_by=False)
    return byline or ", ".join(source.name for source in article.sources.all())


class StoryFeed(Feed):
    """The latest published stories; subclasses narrow them to a tag or a source."""

    feed_type = NewsRssFeed
    language = "en"

    @classmethod
    def as_view(cls):
        """A view making a fresh feed per request (the feed keeps per-request state)."""

        def view(request, *args, **kwargs):
            return cls()(request, *args, **kwargs)

        view.__name__ = cls.__name__
        return view

    def newest(self, obj) -> NewestIds:
        """The feed's stories, newest first, from the index."""
        return NewestIds()

    def items(self, obj):
        self._photos = {}
        ids = self.newest(obj)[:FEED_ITEMS]
        return stories_in_order(
            ids,
            Article.objects.for_detail(),
        )

    def title(self, obj):
        return f"{settings.SITE_NAME}: latest stories"

    def description(self, obj):
        return f"The latest stories from {settings.SITE_NAME}."

    subtitle = description

    def link(self, obj):
        return absolute_url(reverse("articles:front"))

    def feed_url(self, obj):
        return absolute_url(self.request_path)

    def get_object(self, request, *args, **kwargs):
        self.request_path = request.path
        return None

    def item_title(self, article):
        return article.headline

    def item_description(self, article):
        # Both formats declare the summary as HTML; the standfirst is plain text.
        return conditional_escape(article.standfirst)

    def item_link(self, article):
        return absolute_url(article.get_absolute_url())

    def item_guid(self, article):
        return absolute_url(article.get_absolute_url())

    def item_pubdate(self, article):
        return article.published_at

    def item_updateddate(self, article):
        return feed_item_updated(article)

    def item_author_name(self, article):
        return author_name(article) or None

    def item_categories(self, article):
        return [tag.name for tag in article.tag_list()]

    def _photo(self, article):
        if article.pk not in self._photos:
            self._photos[article.pk] = photo_details(article)
        return self._photos[article.pk]

    def item_enclosures(self, article):
        photo = self._photo(article)
        if not photo:
            return []
        return [Enclosure(photo["url"], str(photo["size"]), photo["type"])]

    def item_extra_kwargs(self, article):
        return {"content_html": feed_item_content(article), "photo": self._photo(article)}


class LatestAtomFeed(StoryFeed):
    feed_type = NewsAtomFeed


class TagFeed(StoryFeed):
    url_name = "syndication:tag-rss"

    @classmethod
    def as_view(cls):
        """The feed of the tag at `slug`; an old address of a renamed or merged tag redirects to
        the feed at its new one, so subscriptions keep working."""
        feed_view = super().as_view()

        def view(request, slug):
            tag = Tag.objects.resolve([slug]).get(slug)
            if tag is None:
                raise Http404("No such tag.")
            if tag.slug != slug:
                return HttpResponsePermanentRedirect(reverse(cls.url_name, args=[tag.slug]))
            return feed_view(request, tag=tag)

        view.__name__ = cls.__name__
        return view

    def get_object(self, request, tag):
        super().get_object(request)
        if not self.newest(tag)[:1]:
            raise Http404("No published stories with this tag.")
        return tag

    def newest(self, tag):
        return NewestIds(ListedUnder.TAG, tag.pk)

    def title(self, tag):
        return f"{settings.SITE_NAME}: {tag.name}"

    def description(self, tag):
        return f"Stories about {tag.name} from {settings.SITE_NAME}."

    subtitle = description

    def link(self, tag):
        return absolute_url(tag.get_absolute_url())


class TagAtomFeed(TagFeed):
    feed_type = NewsAtomFeed
    url_name = "syndication:tag-atom"


class SourceFeed(StoryFeed):
    def get_object(self, request, slug):
        super().get_object(request)
        source = get_object_or_404(Source, slug=slug)
        if not self.newest(source)[:1]:
            raise Http404("No published stories from this source.")
        return source

    def newest(self, source):
        return NewestIds(ListedUnder.SOURCE, source.pk)

    def title(self, source):
        return f"{settings.SITE_NAME}: {source.name}"

    def description(self, source):
        return f"Stories credited to {source.name}, from {settings.SITE_NAME}."

    subtitle = description

    def link(self, source):
        return absolute_url(source.get_absolute_url())


class SourceAtomFeed(SourceFeed):
    feed_type = NewsAtomFeed


class AuthorFeed(StoryFeed):
    url_name = "syndication:author-rss"

    @classmethod
    def as_view(cls):
        """The feed of the author at `slug`; the address of an author merged into another
        redirects to that author's feed, so subscriptions keep working."""
        feed_view = super().as_view()

        def view(request, slug):
            author = Author.objects.filter(slug=slug).first()
            if author is None:
                merged_into = AuthorRedirect.target(slug)
                if merged_into is None:
                    raise Http404("No such author.")
                return HttpResponsePermanentRedirect(reverse(cls.url_name, args=[merged_into.slug]))
            return feed_view(request, author=author)

        view.__name__ = cls.__name__
        return view

    def get_object(self, request, author):
        super().get_object(request)
        if not self.newest(author)[:1]:
            raise Http404("No published stories by this author.")
        return author

    def newest(self, author):
        return (
            Article.objects.published()
            .credited_to(author)
            .newest_first()
            .values_list("pk", flat=True)
        )

    def title(self, author):
        return f"{settings.SITE_NAME}: {author.name}"

    def description(self, author):
        return f"Stories by {author.name}, from {settings.SITE_NAME}."

    subtitle = description

    def link(self, author):
        return absolute_url(author.get_absolute_url())


class AuthorAtomFeed(AuthorFeed):
    feed_type = NewsAtomFeed
    url_name = "syndication:author-atom"


class LanguageFeed(StoryFeed):
    """The latest published stories in one language (/feeds/fr/latest.rss)."""

    def get_object(self, request, language):
        super().get_object(request)
        if language not in codes():
            raise Http404("No such language.")
        self.language = language  # the feed's <language>
        return language

    def newest(self, language):
        return (
            StoryListing.objects.due()
            .filter(language=language)
            .newest_first()
            .values_list("pk", flat=True)
        )

    # The feed speaks its language: "The Newsroom : dernières nouvelles (Français)".
    def title(self, language):
        with translation.override(language):
            title = gettext("%(site_name)s: latest news") % {"site_name": settings.SITE_NAME}
        return f"{title} ({name_of(language)})"

    def description(self, language):
        with translation.override(language):
            return gettext("The latest news from %(site_name)s.") % {
                "site_name": settings.SITE_NAME
            }

    subtitle = description

    def link(self, language):
        return absolute_url(site_root(language))


class LanguageAtomFeed(LanguageFeed):
    feed_type = NewsAtomFeed


def _json_feed_item(article) -> dict:
    url = absolute_url(article.get_absolute_url())
    item = {
        "id": url,
        "url": url,
        "title": article.headline,
        "content_html": feed_item_content(article),
        "summary": article.standfirst,
        "date_published": article.published_at,
        "date_modified": feed_item_updated(article),
        "tags": [tag.name for tag in article.tag_list()],
    }
    if name := author_name(article):
        item["authors"] = [{"name": name}]
    if photo := photo_details(article):
        item["image"] = photo["url"]
        item["attachments"] = [
            {
                "url": photo["url"],
                "mime_type": photo["type"],
                "size_in_bytes": photo["size"],
                "title": photo["caption"] or photo["alt_text"],
            }
        ]
    return item


@require_GET
def latest_json_feed(request):
    """JSON Feed 1.1 (https://jsonfeed.org/version/1.1) of the latest published stories."""
    stories = stories_in_order(
        NewestIds()[:FEED_ITEMS], Article.objects.for_list().prefetch_related("corrections")
    )
    feed = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": f"{settings.SITE_NAME}: latest stories",
        "home_page_url": absolute_url(reverse("articles:front")),
        "feed_url": absolute_url(request.path),
        "description": f"The latest stories from {settings.SITE_NAME}.",
        "language": "en",
        "items": [_json_feed_item(article) for article in stories],
    }
    return HttpResponse(
        json.dumps(feed, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
        content_type="application/feed+json; charset=utf-8",
    )

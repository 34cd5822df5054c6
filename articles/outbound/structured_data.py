"""What an article page tells search engines and link previews, built as data: schema.org
JSON-LD and the values of the canonical, Open Graph and Twitter card tags.

The JSON-LD is serialised with `<`, `>` and `&` as \\u escapes (what Django's `json_script` does),
so nothing in a headline or caption can close the script element.
"""

import json

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder

from ..credits import free_byline_parts
from ..photos.renditions import social_image
from . import live
from .links import absolute_url, image_object, story_updated

_SCRIPT_SAFE = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def script_safe_json(data) -> str:
    """`data` as JSON that is inert inside an HTML <script> element."""
    return json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False).translate(_SCRIPT_SAFE)


def _organization(source) -> dict:
    return {
        "@type": "Organization",
        "name": source.name,
        "url": absolute_url(source.get_absolute_url()),
    }


def _corrections(article) -> list[dict]:
    corrections = getattr(article, "corrections", None)
    if corrections is None:
        return []
    return [
        {"@type": "CorrectionComment", "text": item.text, "datePublished": item.created_at}
        for item in corrections.all()
        if getattr(item, "kind", "correction") == "correction"
    ]


def person_data(author, *, full: bool = False) -> dict:
    """schema.org Person for an author; `full` adds what their own page shows."""
    data = {"@type": "Person", "name": author.name, "url": absolute_url(author.get_absolute_url())}
    if full:
        data["@context"] = "https://schema.org"
        if author.title:
            data["jobTitle"] = author.title
        if author.bio:
            data["description"] = author.bio
        if links := author.link_list():
            data["sameAs"] = links
        photo = author.public_photo
        if photo is not None and (found := social_image(photo)):
            data["image"] = absolute_url(found[0])
    return data


def _people(article) -> list[dict]:
    """The story's writers and reporters (not its translators, photographers or editors) as
    Person, linked to their pages; a free-text byline as a Person without a page."""
    writing = {"by", "reporting", "additional"}
    people = [
        person_data(contribution.author)
        for contribution in article.contributions.all()
        if contribution.role in writing
    ]
    for role, names in free_byline_parts(article.byline):
        if role in writing:
            people.extend({"@type": "Person", "name": name} for name in names)
    return people


def news_article_data(article) -> dict:
    """schema.org NewsArticle for `article`, as a dict (a LiveBlogPosting for live coverage)."""
    canonical = absolute_url(article.get_absolute_url())
    sources = list(article.sources.all())
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "mainEntityOfPage": {"@type": "WebPage", "@id": canonical},
        "url": canonical,
        "headline": article.headline,
        "datePublished": article.published_at,
        "dateModified": story_updated(article),
        "isAccessibleForFree": True,
        "publisher": {
            "@type": "NewsMediaOrganization",
            "name": settings.SITE_NAME,
            "url": absolute_url("/"),
        },
    }
    if article.standfirst:
        data["description"] = article.standfirst
    if people := _people(article):
        data["author"] = people
    elif sources:
        data["author"] = [_organization(source) for source in sources]
    if sources:
        data["sourceOrganization"] = [_organization(source) for source in sources]
    if tags := article.tag_list():
        data["keywords"] = [tag.name for tag in tags]
    if photo := image_object(article.public_lead_image):
        data["image"] = photo
    if corrections := _corrections(article):
        data["correction"] = corrections
    if article.is_live_coverage:
        data |= _live_blog(article, modified=data["dateModified"])
    return data


def _live_blog(article, *, modified) -> dict:
    """What makes the story a schema.org LiveBlogPosting (itself an Article)."""
    updates = live.shown_updates(article)
    changed = live.last_changed(article, updates)
    data = {
        "@type": "LiveBlogPosting",
        "coverageStartTime": article.live_started_at,
        "liveBlogUpdate": live.live_blog_updates(article, updates),
    }
    if article.live_ended_at:
        data["coverageEndTime"] = article.live_ended_at
    if changed and (modified is None or changed > modified):
        data["dateModified"] = changed
    return data


def share_meta(article) -> dict:
    """Values for the canonical link, Open Graph and Twitter card tags."""
    found = social_image(article.public_lead_image)
    image = None
    if found:
        url, width, height = found
        image = {
            "url": absolute_url(url),
            "width": width,
            "height": height,
            "alt": article.public_lead_image.alt_text or article.public_lead_image.caption,
        }
    return {
        "canonical": absolute_url(article.get_absolute_url()),
        "image": image,
        "card": "summary_large_image" if image else "summary",
        "modified": story_updated(article),
        "tags": article.tag_list(),
    }

"""`{% story_cards stories heading_level=2 %}`: story cards for the front, tag and source pages.

Built here rather than by including a card template once per story: the template engine's cost per
included card was most of a list page's time. The markup is the card template's, unchanged.
"""

from django import template
from django.template.loader import get_template
from django.utils import formats, timezone
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from ..languages import direction, generic
from ..photos.renditions import picture_for

register = template.Library()


@register.simple_tag
def story_cards(stories, heading_level=3):
    picture_template = get_template("articles/includes/picture.html")
    return mark_safe(  # noqa: S308 - every part below is escaped by format_html
        "".join(story_card(story, heading_level, picture_template) for story in stories)
    )


def _language_attributes(language: str) -> str:
    """`lang` and `dir` for a headline in another language than the page's (none otherwise)."""
    if language == generic(get_language()):
        return ""
    return format_html(' lang="{}" dir="{}"', language, direction(language))


def story_card(story, heading_level: int, picture_template) -> str:
    moment = timezone.localtime(story.published_at)
    sources = ", ".join(conditional_escape(source.name) for source in story.sources.all())
    language = _language_attributes(story.language)
    standfirst = (
        format_html('<p class="card__standfirst"{}>{}</p>', language, story.standfirst)
        if story.standfirst
        else ""
    )
    media = ""
    if story.lead_image_id and (picture := picture_for(story.public_lead_image, "card")):
        media = format_html(
            '<div class="card__media">{}</div>',
            picture_template.render({"picture": picture, "css_class": ""}),
        )
    return format_html(
        '<article class="card">\n'
        '  <h{level} class="card__headline"><a href="{url}"{language}>{headline}</a></h{level}>\n'
        '  <p class="card__meta"><time datetime="{machine}">{date}</time>{sources}</p>\n'
        "  {standfirst}\n"
        "  {media}\n"
        "</article>\n",
        level=int(heading_level),
        url=story.get_absolute_url(),
        headline=story.headline,
        language=language,
        machine=moment.isoformat(timespec="seconds"),
        date=formats.date_format(moment, "j F Y"),
        sources=mark_safe(f" · {sources}") if sources else "",  # noqa: S308 - escaped above
        standfirst=standfirst,
        media=media,
    )

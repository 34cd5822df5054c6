"""`{{ moment|machine_time }}`: a moment as an HTML `<time datetime>` (and sitemap) value.

ISO 8601 in the newsroom's time zone, to the second: HTML's date-time strings allow at most three
decimals of a second, and a reader or crawler needs none (Django's `|date:"c"` prints six).
"""

from django import template
from django.utils import dateformat, timezone
from django.utils.translation import pgettext

from ..languages import direction

register = template.Library()


@register.filter
def machine_time(moment) -> str:
    if not moment:
        return ""
    return timezone.localtime(moment).isoformat(timespec="seconds")


@register.filter
def reader_time(moment, part: str = "") -> str:
    """A moment as readers of the page's language write it: "3 December 2026, 10:42 UTC",
    "3 décembre 2026, 10:42 UTC", "3 ديسمبر 2026، 10:42 UTC" (`|reader_time:"date"`: the day)."""
    if not moment:
        return ""
    if part == "date":
        shape = pgettext("a day, as PHP date format (Django's date filter)", "j F Y")
    else:
        shape = pgettext(
            "a day and time, as PHP date format (Django's date filter)", "j F Y, H:i e"
        )
    return dateformat.format(timezone.localtime(moment), shape)


@register.filter
def text_direction(language: str) -> str:
    """ "rtl" for a right-to-left language code, else "ltr"."""
    return direction(language)

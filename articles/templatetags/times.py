"""`{{ moment|machine_time }}`: a moment as an HTML `<time datetime>` (and sitemap) value.

ISO 8601 in the newsroom's time zone, to the second: HTML's date-time strings allow at most three
decimals of a second, and a reader or crawler needs none (Django's `|date:"c"` prints six).
"""

from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def machine_time(moment) -> str:
    if not moment:
        return ""
    return timezone.localtime(moment).isoformat(timespec="seconds")

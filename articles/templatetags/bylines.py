"""`{% byline article %}`: "By Amina Traoré and Jean Dupont; additional reporting by …", each known
author linked to their page (needs `contributions__author` prefetched, as `for_detail()` does)."""

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from ..models import join_names

register = template.Library()


def _name(name: str, url: str | None):
    if url:
        return format_html('<a class="byline__author" href="{}">{}</a>', url, name)
    return format_html("<bdi>{}</bdi>", name)  # free text, isolated for right-to-left pages


@register.simple_tag
def byline(article):
    parts = []
    for index, (label, names) in enumerate(article.byline_groups()):
        label = label if index == 0 else label[0].lower() + label[1:]
        linked = [str(_name(name, url)) for name, url in names]
        parts.append(format_html("{} {}", label, mark_safe(join_names(linked))))  # noqa: S308 - each name is escaped by format_html
    if not parts:
        return ""
    return format_html(
        '<span class="byline">{}</span>', format_html_join("; ", "{}", ((p,) for p in parts))
    )

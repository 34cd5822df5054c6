"""Links on public pages.

{% absolute_url path %}       `path` on the site's public origin (settings.SITE_URL)
{% tag_count_list tags %}     the tag index's list of every tag with its number of stories
"""

from django import template
from django.utils.html import format_html_join

from ..outbound.links import absolute_url as on_site

register = template.Library()


@register.simple_tag
def absolute_url(path: str) -> str:
    return on_site(path)


@register.simple_tag
def tag_count_list(tags):
    """`<li>` links to every tag with its `story_count`: the tag index's long list, built here
    because a template loop over thousands of tags costs ten times as much."""
    return format_html_join(
        "",
        '<li><a href="{}">{}</a> <span class="facet-count">{}</span></li>',
        ((tag.get_absolute_url(), tag.name, tag.story_count) for tag in tags),
    )

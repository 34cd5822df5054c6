"""`{% absolute_url path %}`: `path` on the site's public origin (settings.SITE_URL)."""

from django import template

from ..outbound.links import absolute_url as on_site

register = template.Library()


@register.simple_tag
def absolute_url(path: str) -> str:
    return on_site(path)

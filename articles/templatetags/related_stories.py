"""`{% related_stories article as stories %}`: published stories sharing the most tags."""

from django import template

from ..search.results import related_stories as find_related_stories

register = template.Library()


@register.simple_tag
def related_stories(article, limit=5):
    return find_related_stories(article, limit=limit)

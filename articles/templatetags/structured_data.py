"""What an article page tells search engines and link previews (built as data in
articles/outbound/structured_data.py).

{% load structured_data %}
{% news_article_json_ld article %}      <script type="application/ld+json"> with a NewsArticle
{% share_meta article as share %}       canonical URL, image, dates and card type for the meta tags
{% person_json_ld author %}             <script type="application/ld+json"> with an author's Person
"""

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from ..outbound import structured_data

register = template.Library()
register.simple_tag(structured_data.share_meta, name="share_meta")


@register.simple_tag
def news_article_json_ld(article):
    data = structured_data.news_article_data(article)
    return format_html(
        '<script type="application/ld+json">{}</script>',
        mark_safe(structured_data.script_safe_json(data)),  # noqa: S308 (escaped above)
    )


@register.simple_tag
def person_json_ld(author):
    data = structured_data.person_data(author, full=True)
    return format_html(
        '<script type="application/ld+json">{}</script>',
        mark_safe(structured_data.script_safe_json(data)),  # noqa: S308 (escaped above)
    )

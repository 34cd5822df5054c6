"""`{% picture image "lead" %}`: a photo as responsive `<picture>` markup, and its credit.

{% load pictures %}
{% picture article.lead_image "lead" %}              eager, full frame
{% picture story.lead_image "card" %}                lazy, 3:2 crop around the focal point
{% picture image "thumb" eager=True %}
{% photo_credit image %}                             "File: Benoit Tessier/<a>Reuters</a>"
"""

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from ..photos.renditions import USAGES, picture_for

register = template.Library()

FILE_PHOTO_LABEL = mark_safe('<span class="credit__file">File: </span>')  # a constant: no input


@register.inclusion_tag("articles/includes/picture.html")
def picture(image, usage="lead", eager=None, css_class=""):
    if usage not in USAGES:
        raise template.TemplateSyntaxError(
            f"Unknown picture usage {usage!r}; use one of {', '.join(USAGES)}."
        )
    return {"picture": picture_for(image, usage, eager=eager), "css_class": css_class}


@register.simple_tag
def photo_credit(image):
    """The credit as written, "File: " first for archive photos, the agency part linked to its
    Source when the photo has one."""
    if image is None or not image.credit:
        return ""
    label = FILE_PHOTO_LABEL if image.is_file_photo else ""
    head, agency = image.credit_parts
    if image.credit_source_id and agency.strip():
        return format_html(
            '{}{}<a href="{}">{}</a>',
            label,
            head,
            image.credit_source.get_absolute_url(),
            agency,
        )
    return format_html("{}{}", label, image.credit)

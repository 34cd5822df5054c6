"""`{% live_count_phrases %}`: the live page's counted phrases ("3 new updates") in every plural
form of the page's language, as data attributes for static/js/live.js, which picks one with
Intl.PluralRules (Arabic has six forms, French three, English two). The script holds no words."""

from django import template
from django.utils.html import format_html_join
from django.utils.translation import get_language, ngettext

from ..languages import plural_samples

register = template.Library()

COUNT = "{count}"  # where live.js writes the number


def _phrases(number: int) -> dict[str, str]:
    return {
        "new": ngettext("%(count)s new update", "%(count)s new updates", number),
        "show": ngettext("Show %(count)s new update", "Show %(count)s new updates", number),
        "shown": ngettext("%(count)s new update shown", "%(count)s new updates shown", number),
    }


@register.simple_tag
def live_count_phrases():
    """data-new-one="{count} nouvelle mise à jour" data-new-other="…" data-show-one="…" …"""
    attributes = []
    for category, number in plural_samples(get_language()).items():
        for name, phrase in _phrases(number).items():
            attributes.append((name, category, phrase % {"count": COUNT}))
    return format_html_join(" ", 'data-{}-{}="{}"', attributes)

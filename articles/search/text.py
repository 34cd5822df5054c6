"""The searchable text of a story, and the highlighted extracts shown with results.

Highlight markers are private-use characters that `plain_text` removes from every indexed text,
so they can only come from the database's highlighter. (PostgreSQL's ts_headline ignores control
characters as markers.)
"""

import html
import re

from django.utils.html import escape, strip_tags
from django.utils.safestring import SafeString, mark_safe

MARK_START, MARK_END = "\ue000", "\ue001"
_UNWANTED_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ue000-\uf8ff]")
# ts_headline reads "<word" as the start of an HTML tag and then highlights nothing after it.
_ANGLE_BRACKETS = str.maketrans({"<": "‹", ">": "›"})


def plain_text(value: str) -> str:
    """Text for the index: no HTML, no control or private-use characters, single spaces; a literal
    < or > in the text becomes a single angle quotation mark (see `_ANGLE_BRACKETS`)."""
    text = html.unescape(strip_tags(re.sub(r"<", " <", value or "")))
    text = _UNWANTED_CHARACTERS.sub(" ", text).translate(_ANGLE_BRACKETS)
    return " ".join(text.split())


def highlighted(snippet: str) -> SafeString:
    """Escape a database snippet, then turn its markers into <mark> elements."""
    escaped = escape(snippet)
    return mark_safe(  # noqa: S308 - escaped above; the markers are ours
        escaped.replace(MARK_START, "<mark>").replace(MARK_END, "</mark>")
    )

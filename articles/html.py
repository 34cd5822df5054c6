"""The one allowlist for story HTML.

The admin's rich-text editor offers exactly these elements, and `sanitize_body` enforces them on the
server whenever a body is saved (admin, wire import, commands, API), whatever a browser sent.
"""

import nh3

# What the editor toolbar offers; kept in step with ALLOWED_TAGS below.
EDITOR_EXTENSIONS = {
    "Bold": True,
    "Italic": True,
    "Link": {"enableTarget": False, "protocols": ["http", "https", "mailto"]},
    "Heading": {"levels": [2, 3]},
    "Blockquote": True,
    "BulletList": True,
    "OrderedList": True,
    "ListItem": True,
    "HardBreak": True,
}

ALLOWED_TAGS = {"p", "br", "strong", "em", "a", "h2", "h3", "blockquote", "ul", "ol", "li"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}

_cleaner = nh3.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=ALLOWED_ATTRIBUTES,
    url_schemes=ALLOWED_URL_SCHEMES,
    link_rel="noopener noreferrer",
    strip_comments=True,
)


def sanitize_body(html: str) -> str:
    """Return `html` with everything outside the allowlist removed (scripts lose their content)."""
    cleaned = _cleaner.clean(html or "").strip()
    # ProseMirror saves an empty document as one empty paragraph; store it as truly empty.
    return "" if cleaned in {"<p></p>", "<p><br></p>"} else cleaned

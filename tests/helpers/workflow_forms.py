"""Helpers for the workflow tests: read an admin form the way a browser would, then post it."""

from html.parser import HTMLParser

from django.urls import reverse


class _FormReader(HTMLParser):
    """The values a browser would submit from `<form id=form_id>` (without any button)."""

    def __init__(self, form_id: str):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = False
        self.data: dict[str, list[str]] = {}
        self._textarea: str | None = None
        self._select: str | None = None
        self._option: str | None = None

    def _add(self, name, value):
        self.data.setdefault(name, []).append(value)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("id") == self.form_id:
            self.inside = True
        if not self.inside or attrs.get("disabled") is not None:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in {"submit", "button", "image", "reset", "file"}:
                return
            if kind in {"checkbox", "radio"} and "checked" not in attrs:
                return
            self._add(name, attrs.get("value", "on" if kind == "checkbox" else ""))
        elif tag == "textarea" and name:
            self._textarea = name
            self._add(name, "")
        elif tag == "select" and name:
            self._select = name
            self.data.setdefault(name, [])
        elif tag == "option" and self._select and "selected" in attrs:
            self._add(self._select, attrs.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "form" and self.inside:
            self.inside = False
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea][-1] += data


def read_form(html: str, form_id: str = "article_form") -> dict:
    reader = _FormReader(form_id)
    reader.feed(html)
    # A textarea's first newline is not part of its value (HTML parsing rule).
    return {
        name: (values[0].removeprefix("\n") if len(values) == 1 else values)
        for name, values in reader.data.items()
    }


def change_url(article) -> str:
    return reverse("admin:articles_article_change", args=[article.pk])


def opened_form(client, article=None) -> dict:
    """GET the article's change form (or the add form) and return what it would submit."""
    url = change_url(article) if article else reverse("admin:articles_article_add")
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return read_form(response.content.decode())

"""Helpers for the workflow tests: read an admin form the way a browser would, then post it, or
build the change form's POST from a story (`change_form_data`)."""

from html.parser import HTMLParser

from django.urls import reverse

from articles.models import Article


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


def change_form_data(article: Article, **overrides) -> dict:
    """The POST the article change form sends, with `overrides` applied."""
    data = {
        "headline": article.headline,
        "standfirst": article.standfirst,
        "body": article.body,
        "byline": article.byline,
        "lead_image": article.lead_image_id or "",
        "status": article.status,
        "published_at_0": article.published_at.strftime("%d/%m/%Y") if article.published_at else "",
        "published_at_1": article.published_at.strftime("%H:%M:%S") if article.published_at else "",
        "slug": article.slug,
        "sources": [s.pk for s in article.sources.all()],
        "tags": ", ".join(f'"{t.name}"' for t in article.tags.all()),
        # The version the form was opened at (edit-conflict detection, articles/desk/workflow.py).
        "opened_version": article.version,
        # The contributors inline (articles/desk/authors.py), left as it is.
        "contributions-TOTAL_FORMS": 0,
        "contributions-INITIAL_FORMS": 0,
    }
    return data | overrides

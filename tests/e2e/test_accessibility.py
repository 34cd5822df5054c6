"""axe-core and a person's checks on every kind of page: zero serious or critical findings."""

import pytest
from playwright.sync_api import Page, expect

from .browser import assert_headings_in_order, serious_accessibility_violations

PUBLIC_PAGES = {
    "front page": lambda story: "/",
    "article": lambda story: story.get_absolute_url(),
    "tag page": lambda story: "/tags/mali/",
    "source page": lambda story: story.sources.first().get_absolute_url(),
    "topic index": lambda story: "/tags/",
    "search results": lambda story: "/search/?q=Bamako&tag=mali",
    "empty search form": lambda story: "/search/",
    "search without results": lambda story: "/search/?q=submarines",
}


@pytest.mark.parametrize("name", PUBLIC_PAGES)
def test_public_page_passes_axe_and_has_order(page: Page, newsroom, name):
    page.goto(PUBLIC_PAGES[name](newsroom))
    assert serious_accessibility_violations(page) == []
    assert_headings_in_order(page)
    expect(page.locator("html")).to_have_attribute("lang", "en")
    for landmark in ("banner", "main", "contentinfo"):
        expect(page.get_by_role(landmark)).to_have_count(1)
    expect(page.get_by_role("navigation", name="Site")).to_be_visible()


def test_not_found_page_passes_axe(page: Page, browser_problems, newsroom):
    browser_problems.expect_status(404, "/no-such-page/")
    response = page.goto("/no-such-page/")
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    assert serious_accessibility_violations(page) == []
    assert_headings_in_order(page)


def test_article_change_form_passes_axe(editor_page: Page, newsroom):
    editor_page.goto(f"/admin/articles/article/{newsroom.pk}/change/")
    expect(editor_page.get_by_role("textbox", name="Body")).to_be_visible()
    assert serious_accessibility_violations(editor_page) == []


def test_skip_link_is_first_visible_on_focus_and_moves_to_main(page: Page, newsroom):
    page.goto(newsroom.get_absolute_url())
    skip_link = page.get_by_role("link", name="Skip to content")
    expect(skip_link).not_to_be_in_viewport()
    page.keyboard.press("Tab")
    expect(skip_link).to_be_focused()
    expect(skip_link).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.get_by_role("main")).to_be_focused()
    # The next Tab lands inside the content, not back in the header.
    page.keyboard.press("Tab")
    assert page.evaluate("document.querySelector('main').contains(document.activeElement)")


def test_keyboard_focus_is_visible_on_everything_tabbable(page: Page, newsroom):
    page.goto(newsroom.get_absolute_url())
    focused = []
    while True:
        page.keyboard.press("Tab")
        focus = page.evaluate(
            """() => {
              const el = document.activeElement;
              const style = getComputedStyle(el);
              return {html: el.outerHTML.slice(0, 80), isBody: el === document.body,
                      outline: style.outlineStyle, width: parseFloat(style.outlineWidth)};
            }"""
        )
        if focus["isBody"] or focus["html"] in focused:
            break
        focused.append(focus["html"])
        assert focus["outline"] != "none" and focus["width"] >= 2, focus
    assert len(focused) >= 5, focused  # skip link, site title, nav, source, tags


def test_photos_have_alt_text(page: Page, newsroom, seed_photo):
    for path in ("/", newsroom.get_absolute_url(), "/tags/mali/"):
        page.goto(path)
        expect(page.locator("img")).not_to_have_count(0)
        expect(page.locator("img:not([alt])")).to_have_count(0)
    expect(page.get_by_role("img", name=seed_photo.alt_text)).to_be_visible()


def test_every_page_declares_its_own_icon(page: Page, newsroom):
    """Without one, browsers ask for /favicon.ico on every page and get a 404."""
    for path in ("/", newsroom.get_absolute_url(), "/search/", "/admin/login/"):
        page.goto(path)
        icon = page.locator("link[rel=icon]")
        expect(icon).to_have_count(1)
        response = page.request.get(icon.evaluate("link => link.href"))
        assert response.status == 200 and response.headers["content-type"] == "image/svg+xml"

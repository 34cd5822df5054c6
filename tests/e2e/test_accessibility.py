"""axe-core and a person's checks on every kind of page: zero serious or critical findings."""

from playwright.sync_api import Page, expect

from .browser import (
    heading_order_problems,
    icon_problems,
    page_frame_problems,
    serious_accessibility_violations,
)

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


def test_public_pages_pass_axe_and_a_persons_checks(page: Page, newsroom):
    """One visit per kind of page; every problem on every page is reported together."""
    problems = {}
    for name, path in PUBLIC_PAGES.items():
        page.goto(path(newsroom))
        expect(page.get_by_role("main")).to_be_visible()
        found = (
            serious_accessibility_violations(page)
            + heading_order_problems(page)
            + page_frame_problems(page)
        )
        if found:
            problems[name] = found
    assert problems == {}


def test_not_found_page_passes_axe(page: Page, browser_problems, newsroom):
    browser_problems.expect_status(404, "/no-such-page/")
    response = page.goto("/no-such-page/")
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    assert serious_accessibility_violations(page) == []
    assert heading_order_problems(page) == []
    assert page_frame_problems(page) == []


def test_article_change_form_passes_axe(editor_page: Page, newsroom):
    editor_page.goto(f"/admin/articles/article/{newsroom.pk}/change/")
    expect(editor_page.get_by_role("textbox", name="Body")).to_be_visible()
    expect(editor_page.get_by_role("searchbox", name="Sources")).to_be_visible()
    assert serious_accessibility_violations(editor_page) == []
    assert icon_problems(editor_page) == []


def test_keyboard_skip_link_and_visible_focus(page: Page, newsroom):
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

    for path in (newsroom.get_absolute_url(), "/search/?q=Bamako&tag=mali"):
        page.goto(path)
        focused = tab_through_page(page)
        assert len(focused) >= 8, focused
        unmarked = [f for f in focused if f["outline"] == "none" or f["width"] < 2]
        assert unmarked == [], "focus not visible on these"


def tab_through_page(page: Page) -> list[dict]:
    """Tab from the top until the focus leaves the page; how each stop shows its focus."""
    stops = []
    while len(stops) < 200:
        page.keyboard.press("Tab")
        focus = page.evaluate(
            """() => {
              const el = document.activeElement;
              const style = getComputedStyle(el);
              return {html: el.outerHTML.slice(0, 80), isBody: el === document.body,
                      outline: style.outlineStyle, width: parseFloat(style.outlineWidth)};
            }"""
        )
        if focus["isBody"] or focus in stops:
            break
        stops.append(focus)
    return stops


def test_photos_have_alt_text(page: Page, newsroom, seed_photo):
    for path in ("/", newsroom.get_absolute_url(), "/tags/mali/"):
        page.goto(path)
        expect(page.locator("img")).not_to_have_count(0)
        expect(page.locator("img:not([alt])")).to_have_count(0)
    expect(page.get_by_role("img", name=seed_photo.alt_text)).to_be_visible()

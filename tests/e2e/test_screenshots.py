"""Screenshots for the README (docs/screenshots/), taken at a phone's and a desktop's width.

Each shot first checks that the page shows what it should, so a broken page is a failure, not a
picture of an error.
"""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from ..helpers.factories import make_article, make_draft
from .browser import log_in, save_screenshot

VIEWPORTS = {375: 812, 1280: 900}


@pytest.fixture(params=sorted(VIEWPORTS), ids=lambda width: f"{width}px")
def sized_page(request, page: Page) -> Page:
    width = request.param
    page.set_viewport_size({"width": width, "height": VIEWPORTS[width]})
    return page


def test_reader_pages(sized_page: Page, newsroom):
    page = sized_page
    page.goto("/")
    expect(page.get_by_role("link", name=newsroom.headline)).to_be_visible()
    save_screenshot(page, "front-page")

    page.goto(newsroom.get_absolute_url())
    expect(page.get_by_role("heading", level=1)).to_have_text(newsroom.headline)
    save_screenshot(page, "seed-story")

    page.goto("/tags/mali/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mali")
    save_screenshot(page, "tag-page")

    page.goto("/search/?q=Bamako&tag=mali&tag=russia")
    expect(page.get_by_role("heading", level=2, name="2 stories")).to_be_visible()
    expect(page.get_by_role("complementary", name="Narrow the results")).to_be_visible()
    save_screenshot(page, "search-with-facets")


def test_admin_change_form(sized_page: Page, editor, newsroom):
    page = sized_page
    log_in(page)
    page.goto(f"/admin/articles/article/{newsroom.pk}/change/")
    expect(page.get_by_role("textbox", name="Body")).to_contain_text("A cargo plane")
    save_screenshot(page, "admin-change-form")

    page.get_by_role("button", name="Live preview").click()
    preview = page.frame_locator("[data-preview-frame]")
    expect(preview.get_by_role("heading", level=1)).to_have_text(newsroom.headline)
    page.get_by_role("complementary", name="Live preview").scroll_into_view_if_needed()
    save_screenshot(page, "editor-with-preview")


def test_desk_pages(sized_page: Page, editor, newsroom):
    page = sized_page
    make_article(
        "Wagner fighters seen near Timbuktu, residents say",
        published_at=timezone.now() + datetime.timedelta(hours=5),
        tags=["Mali", "Russia"],
    )
    make_draft("Council approves the new river bridge", created_by=editor)
    log_in(page)
    expect(page.get_by_role("heading", name="Scheduled, soonest first")).to_be_visible()
    expect(page.get_by_role("link", name="Council approves the new river bridge")).to_be_visible()
    save_screenshot(page, "desk-home")

    page.goto("/admin/articles/article/")
    row = page.get_by_role("row").filter(has_text="Wagner fighters seen near Timbuktu")
    expect(row).to_contain_text("Scheduled for ")
    save_screenshot(page, "story-list")

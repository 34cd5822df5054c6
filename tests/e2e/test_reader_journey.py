"""A reader's visit: from the front page to a story, a topic, and a search narrowed by topics."""

import re

from playwright.sync_api import Page, expect

from .browser import tab_to


def test_reader_follows_a_story_to_its_topic_and_searches_by_keyboard(
    page: Page, newsroom, seed_photo
):
    # (With the photo's file: a caption waiting for its photo is never shown to readers.)
    page.goto("/")
    page.get_by_role("link", name=newsroom.headline).first.click()

    expect(page.get_by_role("heading", level=1)).to_have_text(newsroom.headline)
    caption = page.locator("figure figcaption")
    expect(caption).to_contain_text(newsroom.lead_image.caption)
    expect(caption).to_contain_text("File: Benoit Tessier/Reuters")
    expect(caption).to_be_visible()

    page.get_by_role("navigation", name="Topics").get_by_role("link", name="Mali").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mali")
    expect(page.get_by_role("heading", level=2).get_by_role("link")).to_have_count(3)

    # From here on, the keyboard only.
    tab_to(page, page.get_by_role("link", name="search within Mali"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Search")
    filters = page.get_by_role("region", name="Your filters")
    expect(filters.get_by_role("link", name="Remove filter Mali")).to_be_visible()

    tab_to(page, page.get_by_role("searchbox", name="Words"))
    page.keyboard.type("Bamako")
    page.keyboard.press("Enter")
    results = page.get_by_role("region", name=re.compile(r"^\d+ stor"))
    expect(results.get_by_role("heading", level=2)).to_have_text("2 stories")
    expect(results.locator("mark", has_text="Bamako").first).to_be_visible()

    facets = page.get_by_role("complementary", name="Narrow the results")
    tab_to(page, facets.get_by_role("link", name="France"))
    page.keyboard.press("Enter")
    expect(results.get_by_role("heading", level=2)).to_have_text("1 story")
    expect(filters.get_by_role("link", name="Remove filter France")).to_be_visible()
    expect(results.get_by_role("link", name=newsroom.headline)).to_be_visible()

    tab_to(page, filters.get_by_role("link", name="Remove filter France"))
    page.keyboard.press("Enter")
    expect(results.get_by_role("heading", level=2)).to_have_text("2 stories")
    expect(filters.get_by_role("link", name="Remove filter France")).to_have_count(0)
    expect(filters.get_by_role("link", name="Remove filter Mali")).to_be_visible()

    other_story = "Wagner Group fighters arrive in Bamako, diplomats say"
    tab_to(page, results.get_by_role("link", name=other_story))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(other_story)

"""A reporter on a live story, in Chromium: their save goes into the working draft readers do not
see, and "Publish changes" is not theirs to press (issue 15, item 4)."""

import pytest
from django.contrib.auth.models import Group, Permission
from playwright.sync_api import Page, expect

from ..helpers.factories import make_staff
from .browser import EDITOR_PASSWORD, log_in, serious_accessibility_violations

# What the roles migration gives reporters on stories (the live server's tests empty the tables
# between tests, the role's group included).
REPORTER_PERMISSIONS = [
    "add_article",
    "change_article",
    "view_article",
    "add_image",
    "change_image",
    "view_image",
    "view_contributor",
    "view_author",
]


@pytest.fixture
def reporter_page(page: Page, transactional_db) -> Page:
    group, _ = Group.objects.get_or_create(name="Reporter")
    group.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="articles", codename__in=REPORTER_PERMISSIONS
        )
    )
    make_staff("rita", role="Reporter", password=EDITOR_PASSWORD)
    log_in(page, "rita")
    return page


def test_a_reporter_drafts_changes_to_a_live_story(
    reporter_page: Page, newsroom, new_context, browser_problems
):
    page = reporter_page
    page.goto(f"/admin/articles/article/{newsroom.pk}/change/")
    panel = page.get_by_role("complementary", name="Publishing")
    expect(panel).to_contain_text("Your saves go into its working draft; an editor publishes them.")
    expect(page.get_by_role("button", name="Publish changes")).to_have_count(0)
    new_headline = "Mali takes delivery of Russian helicopters"
    page.get_by_label("Headline:").fill(new_headline)
    panel.get_by_role("button", name="Save working draft", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("Saved as a working draft")
    expect(page.get_by_label("Headline:")).to_have_value(new_headline)
    expect(page.get_by_role("complementary", name="Publishing")).to_contain_text("Working draft")
    assert serious_accessibility_violations(page) == []

    reader = new_context().new_page()
    browser_problems.watch(reader)
    reader.goto(newsroom.get_absolute_url())
    expect(reader.get_by_role("heading", level=1)).to_have_text(newsroom.headline)

    # The compare page shows the draft; publishing it is an editor's button.
    page.get_by_role("link", name="Compare with the live story").click()
    expect(page.locator(".workflow-diff ins").first).to_contain_text("takes delivery of")
    expect(page.get_by_role("button", name="Publish changes")).to_have_count(0)

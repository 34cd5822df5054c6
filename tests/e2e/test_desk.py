"""The editors' desk in Chromium (issue 15, part A): the publishing panel that stays on screen,
the scheduled status everywhere, a working draft readers do not see until "Publish changes",
and the desk at a phone's width."""

import datetime

from django.utils import timezone
from playwright.sync_api import Page, expect

from .browser import serious_accessibility_violations


def test_the_publishing_panel_stays_on_screen_and_schedules(editor_page: Page, newsroom):
    page = editor_page
    page.goto(f"/admin/articles/article/{newsroom.pk}/change/")
    panel = page.get_by_role("complementary", name="Publishing")
    expect(panel).to_contain_text("Published")
    expect(panel).to_contain_text("Publication time (UTC)")
    # Deep in the body, the status, the time and the buttons are still in view.
    page.mouse.wheel(0, 2500)
    page.wait_for_timeout(200)
    box = panel.bounding_box()
    assert box is not None and 0 <= box["y"] < 900, box
    expect(panel.get_by_role("button", name="Publish changes")).to_be_in_viewport()

    # Schedule it for tonight: the message, the list and the desk home all say "Scheduled".
    later = timezone.localtime() + datetime.timedelta(hours=6)
    page.locator("#id_published_at_0").fill(later.strftime("%d/%m/%Y"))
    page.locator("#id_published_at_1").fill(later.strftime("%H:%M:00"))
    panel.get_by_role("button", name="Save working draft", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("Scheduled for ")
    expect(page.locator(".messagelist")).not_to_contain_text("Published")
    page.goto("/admin/articles/article/")
    row = page.get_by_role("row").filter(has_text=newsroom.headline)
    expect(row).to_contain_text("Scheduled for ")
    expect(row).not_to_contain_text("Published")
    page.goto("/admin/")
    scheduled = page.locator("section").filter(has_text="Scheduled, soonest first")
    expect(scheduled).to_contain_text(newsroom.headline)
    assert serious_accessibility_violations(page) == []


def test_a_working_draft_is_invisible_to_readers_until_published(
    editor_page: Page, newsroom, new_context, browser_problems
):
    page = editor_page
    story_path = newsroom.get_absolute_url()
    page.goto(f"/admin/articles/article/{newsroom.pk}/change/")
    new_headline = "Mali takes delivery of Russian helicopters"
    page.get_by_label("Headline:").fill(new_headline)
    page.get_by_role("button", name="Save working draft", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("Saved as a working draft")
    expect(page.get_by_label("Headline:")).to_have_value(new_headline)

    reader = new_context().new_page()
    browser_problems.watch(reader)
    reader.goto(story_path)
    expect(reader.get_by_role("heading", level=1)).to_have_text(newsroom.headline)

    page.get_by_role("link", name="Compare with the live story").click()
    expect(page.locator(".workflow-diff ins").first).to_contain_text("takes delivery of")
    page.get_by_role("button", name="Publish changes").click()
    expect(page.locator(".messagelist")).to_contain_text("Changes published")
    reader.reload()
    expect(reader.get_by_role("heading", level=1)).to_have_text(new_headline)


def test_the_desk_at_375_px(editor_page: Page, newsroom):
    page = editor_page
    page.set_viewport_size({"width": 375, "height": 812})
    for path in (
        "/admin/",
        "/admin/articles/article/",
        f"/admin/articles/article/{newsroom.pk}/change/",
    ):
        page.goto(path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, (path, width)
    # The editor's toolbar fits before its icon font has arrived (its icons are words until then).
    held_fonts = []
    page.route("**/*.woff2", lambda route: held_fonts.append(route))
    page.goto(f"/admin/articles/article/{newsroom.pk}/change/", wait_until="domcontentloaded")
    page.locator(".prose-menubar__button").first.wait_for()
    assert held_fonts, "the icon font was not requested"
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, ("toolbar before its font", width)
    for route in held_fonts:
        route.continue_()
    # On a phone the publishing panel comes first, above the story.
    panel = page.get_by_role("complementary", name="Publishing")
    headline = page.get_by_label("Headline:")
    assert panel.bounding_box()["y"] < headline.bounding_box()["y"]

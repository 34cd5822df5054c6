"""The editors' desk in Chromium (issue 15, part A): the publishing panel that stays on screen,
the scheduled status everywhere, a working draft readers do not see until "Publish changes",
the desk at a phone's width, and bulk publishing by a reporter and by an editor."""

import datetime

from django.utils import timezone
from playwright.sync_api import Page, expect

from articles.editorial import services
from articles.models import Article

from ..helpers.factories import make_draft, make_staff
from .browser import EDITOR_PASSWORD, log_in, serious_accessibility_violations


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
    newsroom.headline = "Mali takes delivery of helicopters, weapons and ammunition from Russia"
    services.save_article(article=newsroom, user=None)  # a second revision, to compare
    last = newsroom.revisions.order_by("-number").first().number
    for path in (
        "/admin/",
        "/admin/articles/article/",
        f"/admin/articles/article/{newsroom.pk}/change/",
        f"/admin/articles/article/{newsroom.pk}/history/compare/?from={last - 1}&to={last}",
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


def test_bulk_publish_per_role_ends_in_a_summary(
    page: Page, editor, editorial_roles, newsroom, new_context, browser_problems
):
    ready = make_draft("Council approves the new bridge")
    embargoed = make_draft(
        "Budget figures under embargo",
        embargoed_until=timezone.now() + datetime.timedelta(hours=6),
    )
    make_staff("rita", role="Reporter", password=EDITOR_PASSWORD)

    def choose(list_page: Page, action: str) -> None:
        for story in (ready, embargoed):
            row = list_page.get_by_role("row").filter(has_text=story.headline)
            row.get_by_role("checkbox").check()
        list_page.locator("select[name=action]").select_option(label=action)
        list_page.locator("button[name=index]").click()

    # A reporter's menu does not offer publishing; she adds it to the page herself and runs it.
    log_in(page, "rita", EDITOR_PASSWORD)
    page.goto("/admin/articles/article/")
    options = page.locator("select[name=action] option").all_text_contents()
    assert "Submit for review" in options and "Publish now" not in options
    page.locator("select[name=action]").evaluate(
        "select => select.add(new Option('Publish now', 'publish_now'))"
    )
    choose(page, "Publish now")
    summary = page.locator(".messagelist")
    expect(summary).to_have_text(
        "Refused 2 stories: “Council approves the new bridge”: Only an editor can publish a "
        "story.; “Budget figures under embargo”: Only an editor can publish a story."
    )
    assert not Article.objects.filter(pk__in=[ready.pk, embargoed.pk], status="published")

    # An editor publishes the same two: what was done, what was refused and why.
    desk = new_context().new_page()
    browser_problems.watch(desk)
    log_in(desk)
    desk.goto("/admin/articles/article/")
    choose(desk, "Publish now")
    summary = desk.locator(".messagelist")
    expect(summary).to_contain_text("Published 1 story.")
    expect(summary).to_contain_text(
        "Refused 1 story: “Budget figures under embargo”: Embargoed until "
    )
    expect(summary).to_contain_text("Schedule it for ")
    ready.refresh_from_db(), embargoed.refresh_from_db()
    assert ready.is_published and not embargoed.is_published
    expect(desk.get_by_role("row").filter(has_text=ready.headline)).to_contain_text("Published")
    assert serious_accessibility_violations(desk) == []

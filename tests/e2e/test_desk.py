"""The editors' desk in Chromium (issue 15, part A): the publishing panel that stays on screen,
the scheduled status everywhere, a working draft readers do not see until "Publish changes",
the desk at a phone's width, and bulk publishing by a reporter and by an editor."""

import datetime

from django.utils import timezone
from playwright.sync_api import Page, expect

from articles.editorial import services
from articles.models import Article

from ..helpers.factories import make_article, make_draft, make_source, make_staff
from .browser import EDITOR_PASSWORD, log_in, serious_accessibility_violations


def a_busy_desk(newsroom: Article) -> None:
    """A desk's morning: long headlines, many tags, every status, scheduled and embargoed
    stories, a translation behind its original, several sources."""
    now = timezone.now()
    hour = datetime.timedelta(hours=1)
    agencies = [
        make_source(name) for name in ("Agence France-Presse", "Reuters", "Associated Press")
    ]
    tags = ["Mali", "Sahel", "Russia", "Security", "Diplomacy", "West Africa", "Elections"]
    make_article(
        "Parliament debates the emergency budget late into the night as ministers warn of "
        "deeper cuts to regional hospitals, schools and the transport network next year",
        published_at=now - 2 * hour,
        tags=tags,
        sources=agencies,
        byline="Aminata Traoré and Jean-Baptiste Okonkwo-Lefebvre",
    )
    make_article(
        "Central bank holds rates for a fourth month in a row, citing stubborn food prices",
        published_at=now + 5 * hour,
        tags=tags[:4],
        sources=agencies[:1],
    )
    make_article(
        "Election commission publishes the final list of candidates",
        published_at=now + 30 * hour,
        tags=["Elections"],
        embargoed_until=now + 29 * hour,
    )
    make_draft(
        "Floods displace thousands along the Niger river; aid agencies appeal for boats, "
        "clean water and tents before the next rains",
        tags=tags[:3],
        byline="Staff reporter",
    )
    make_article(
        "Minister resigns after leaked recordings", status=Article.Status.IN_REVIEW, tags=["Mali"]
    )
    make_article(
        "Old story taken down at the family's request",
        status=Article.Status.UNPUBLISHED,
        published_at=now - 300 * hour,
    )
    make_article(
        "Le Mali reçoit des hélicoptères, des armes et des munitions de la Russie",
        language="fr",
        translation_of=newsroom,
        original_changed_at=now - hour,
        published_at=now - 20 * hour,
        tags=["Mali", "Russia"],
        sources=agencies[:2],
        expires_at=now + 48 * hour,
    )


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


def test_the_story_list_fits_a_1280_px_window_and_a_phone(editor_page: Page, newsroom):
    """With the desk's menu and the filters open, a 1280 px window shows every column of a busy
    list, publication time included, without scrolling sideways; a phone still gets cards."""
    a_busy_desk(newsroom)
    page = editor_page
    page.goto("/admin/articles/article/")
    overflow = page.evaluate(
        """() => {
          const results = document.querySelector("#changelist .results");
          const table = document.querySelector("#result_list");
          return {
            page: document.documentElement.scrollWidth,
            results: results.scrollWidth - results.clientWidth,
            tableRight: table.getBoundingClientRect().right,
            resultsRight: results.getBoundingClientRect().right,
          };
        }"""
    )
    assert overflow["page"] <= 1280, overflow
    assert overflow["results"] <= 0, overflow
    assert overflow["tableRight"] <= min(1280, overflow["resultsRight"] + 1), overflow
    header = page.get_by_role("columnheader", name="Publication time")
    expect(header).to_be_in_viewport(ratio=1)
    row = page.get_by_role("row").filter(has_text="Central bank holds rates")
    expect(row.locator("td.field-publication_time time")).to_be_in_viewport(ratio=1)
    for column in ("Headline", "Status", "By", "Details"):
        expect(page.get_by_role("columnheader", name=column, exact=True)).to_be_in_viewport()

    page.set_viewport_size({"width": 375, "height": 812})
    page.reload()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    expect(page.locator("#result_list thead")).to_be_hidden()
    card = page.locator("#result_list tbody tr").filter(has_text="Central bank holds rates")
    for cell in ("status_cell", "publication_time", "details"):
        box = card.locator(f"td.field-{cell}").bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 375, (cell, box)
    expect(card.locator("td.field-byline_cell")).to_be_hidden()  # no byline: no lone "-" line


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

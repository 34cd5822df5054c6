"""Rights and authors in the desk, as an editor uses them: an embargo refused with its lift time,
a story withdrawn from the desk (410 for readers), and a contributor picked by typing a name."""

import datetime
import re

from django.utils import timezone
from playwright.sync_api import Page, expect

from articles.models import Article, Author

from .test_editor_workflow import open_story


def test_an_embargoed_story_cannot_be_published_from_the_form(editor_page: Page, newsroom):
    lift = timezone.now() + datetime.timedelta(hours=3)
    Article.objects.filter(pk=newsroom.pk).update(
        status=Article.Status.DRAFT, published_at=None, embargoed_until=lift
    )
    newsroom.refresh_from_db()
    page = editor_page
    open_story(page, newsroom)
    expect(page.locator(".rights-note--embargo")).to_contain_text("EMBARGOED until")
    page.get_by_label("Status").select_option("published")
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator(".errorlist")).to_contain_text("Embargoed until")
    newsroom.refresh_from_db()
    assert newsroom.status == Article.Status.DRAFT


def test_withdrawing_a_story_from_the_desk(
    editor_page: Page, new_context, browser_problems, newsroom
):
    page = editor_page
    url = newsroom.get_absolute_url()
    open_story(page, newsroom)
    page.get_by_role("link", name="Withdraw", exact=True).click()
    page.get_by_label("Reason").fill("Agency kill: legal")
    page.get_by_role("button", name="Withdraw everywhere").click()
    expect(page.locator(".messagelist")).to_contain_text("410 Gone")
    expect(page.locator(".rights-note--withdrawn")).to_contain_text("Agency kill: legal")

    reader = new_context().new_page()
    browser_problems.watch(reader)
    browser_problems.expect_status(410, url)
    assert reader.goto(url).status == 410
    expect(reader.get_by_role("heading", level=1)).to_have_text("This story has been withdrawn")


def test_a_contributor_is_picked_by_typing_a_name(editor_page: Page, newsroom):
    Author.objects.create(name="Amina Traoré", title="West Africa correspondent")
    page = editor_page
    open_story(page, newsroom)
    page.locator("#contributions-0 .select2-selection").click()
    page.locator(".select2-container--open .select2-search__field").fill("Amin")
    page.get_by_role("option", name="Amina Traoré").click()
    # The story is live: credits are not part of a working draft, so they wait for "Publish
    # changes" (and the form keeps the name picked).
    page.get_by_role("button", name="Save working draft", exact=True).click()
    expect(page.locator(".errornote, .errorlist").first).to_be_visible()
    expect(page.get_by_text("its credits change with “Publish changes”")).to_be_visible()
    expect(page.locator("#contributions-0 .select2-selection")).to_contain_text("Amina Traoré")
    page.get_by_role("button", name="Publish changes").click()
    expect(page.locator(".messagelist")).to_contain_text("Changes published")
    story = page.context.new_page()
    story.goto(newsroom.get_absolute_url())
    expect(story.locator(".byline")).to_contain_text(re.compile(r"By Amina Traoré"))

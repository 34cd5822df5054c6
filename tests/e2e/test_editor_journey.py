"""An editor's day with the seed story, in the admin, as a person does it."""

import re

from playwright.sync_api import Page, expect

from articles.models import Article

from .browser import log_in

NEW_STANDFIRST = "Four helicopters and a cargo of weapons land in Bamako as ties with Paris fray."
ADDED_SENTENCE = " Officials at the airport confirmed the delivery."
BOLD_WORDS = "confirmed the delivery"
LINK_URL = "https://www.example.org/mali-defence-ministry"


def test_editor_edits_publishes_and_sees_the_change_on_the_site(
    page: Page, browser_problems, editor, seed_story
):
    # The story starts as a draft so publishing is a real step; readers cannot see it yet.
    seed_story.status = Article.Status.DRAFT
    seed_story.save()
    story_path = seed_story.get_absolute_url()
    browser_problems.expect_status(404, story_path)
    assert page.goto(story_path).status == 404

    log_in(page)
    page.get_by_role("link", name="Articles").first.click()
    page.get_by_role("link", name=seed_story.headline).click()
    expect(page.get_by_role("heading", name="Change article")).to_be_visible()

    page.get_by_label("Standfirst").fill(NEW_STANDFIRST)

    body = page.get_by_role("textbox", name="Body")
    body.locator("p").nth(3).click()
    page.keyboard.press("End")
    page.keyboard.type(ADDED_SENTENCE)
    for _ in BOLD_WORDS + ".":
        page.keyboard.press("Shift+ArrowLeft")
    page.keyboard.press("Shift+ArrowRight")  # keep the full stop out of the selection
    page.get_by_role("button", name="bold", exact=True).click()
    expect(body.locator("strong", has_text=BOLD_WORDS)).to_be_visible()
    page.get_by_role("button", name="insert link").click()
    link_dialog = page.get_by_role("dialog").filter(has_text="Edit Link")
    link_dialog.get_by_label("URL").fill(LINK_URL)
    link_dialog.get_by_role("button", name="Update").click()
    expect(link_dialog).to_be_hidden()
    expect(body.locator(f'a[href="{LINK_URL}"]')).to_have_text(BOLD_WORDS)

    tags = page.get_by_label("Tags")
    tags.fill(tags.input_value() + ", Bamako")

    page.get_by_label("Status").select_option(label="Published")
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")

    page.get_by_role("link", name="View on site").click()
    expect(page).to_have_url(re.compile(re.escape(story_path) + "$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(seed_story.headline)
    expect(page.locator(".standfirst")).to_have_text(NEW_STANDFIRST)
    paragraph = page.locator(".story__body p").nth(3)
    expect(paragraph).to_contain_text("He added that the weapons and ammunition were gifts from")
    link = paragraph.get_by_role("link", name=BOLD_WORDS)
    expect(link).to_have_attribute("href", LINK_URL)
    expect(paragraph.locator("strong").get_by_role("link", name=BOLD_WORDS)).to_be_visible()
    topics = page.get_by_role("navigation", name="Topics")
    expect(topics.get_by_role("link", name="Bamako")).to_be_visible()

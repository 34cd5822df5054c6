"""An editor's day with the seed story, in the admin, as a person does it."""

import re

from playwright.sync_api import Page, expect

from articles.models import Article

from .browser import log_in

NEW_STANDFIRST = "Four helicopters and a cargo of weapons land in Bamako as ties with Paris fray."
ADDED_SENTENCE = " Officials at the airport confirmed the delivery."
BOLD_WORDS = "confirmed the delivery"
LINK_URL = "https://www.example.org/mali-defence-ministry"
NEW_TAG = "Bamako"  # already used on another story, so the autocomplete knows it


def test_editor_edits_saves_previews_publishes_and_sees_the_change_on_the_site(
    page: Page, browser_problems, editor, newsroom
):
    # The story starts as a draft so publishing is a real step; readers cannot see it yet.
    Article.objects.exclude(pk=newsroom.pk).first().tags.add(NEW_TAG)
    newsroom.status = Article.Status.DRAFT
    newsroom.save()
    story_path = newsroom.get_absolute_url()
    browser_problems.expect_status(404, story_path)
    assert page.goto(story_path).status == 404

    log_in(page)
    page.get_by_role("link", name="Articles").first.click()
    page.get_by_role("link", name=newsroom.headline).click()
    expect(page.get_by_role("heading", name="Change article")).to_be_visible()

    page.get_by_label("Standfirst").fill(NEW_STANDFIRST)

    # The rich-text editor: type at the end of a paragraph, make words bold, then a link.
    body = page.get_by_role("textbox", name="Body")
    body.locator("p").nth(3).click()
    page.keyboard.press("End")
    page.keyboard.type(ADDED_SENTENCE)
    page.keyboard.press("ArrowLeft")  # before the full stop
    for _ in BOLD_WORDS:
        page.keyboard.press("Shift+ArrowLeft")
    page.get_by_role("button", name="bold", exact=True).click()
    expect(body.locator("strong", has_text=BOLD_WORDS)).to_be_visible()
    page.get_by_role("button", name="insert link").click()
    link_dialog = page.get_by_role("dialog").filter(has_text="Edit Link")
    link_dialog.get_by_label("URL").fill(LINK_URL)
    link_dialog.get_by_role("button", name="Update").click()
    expect(link_dialog).to_be_hidden()
    expect(body.locator(f'a[href="{LINK_URL}"]')).to_have_text(BOLD_WORDS)

    # Tags are chips: typing the start of a tag suggests the existing one; the arrow keys and
    # Enter pick it, as a keyboard user would.
    tags = page.get_by_role("combobox", name="Tags")
    tags.press_sequentially(NEW_TAG[:3])
    suggestion = page.get_by_role("option", name=NEW_TAG)
    expect(suggestion).to_be_visible()
    tags.press("ArrowDown")
    expect(suggestion).to_have_attribute("aria-selected", "true")
    tags.press("Enter")
    expect(page.locator(".tag-chip", has_text=NEW_TAG)).to_be_visible()
    expect(page.locator("input[name=tags]")).to_have_value(re.compile(rf'"{NEW_TAG}"$'))

    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    expect(page.get_by_label("Standfirst")).to_have_value(NEW_STANDFIRST)

    # Preview in a new tab: what readers would see, marked as a preview.
    with page.context.expect_page() as preview_tab:
        page.get_by_role("button", name="Preview unsaved changes").click()
    preview = preview_tab.value
    expect(preview.get_by_role("status")).to_contain_text("Preview of unsaved changes")
    expect(preview.locator(".standfirst")).to_have_text(NEW_STANDFIRST)
    expect(preview.get_by_role("link", name=BOLD_WORDS)).to_have_attribute("href", LINK_URL)
    expect(preview.get_by_role("link", name=NEW_TAG, exact=True)).to_be_visible()
    preview.close()
    readers_tab = page.context.new_page()
    browser_problems.watch(readers_tab)
    assert readers_tab.goto(story_path).status == 404, "saving a draft must not publish it"
    readers_tab.close()

    page.get_by_label("Status").select_option(label="Published")
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")

    page.get_by_role("link", name="View on site").click()
    expect(page).to_have_url(re.compile(re.escape(story_path) + "$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(newsroom.headline)
    expect(page.locator(".standfirst")).to_have_text(NEW_STANDFIRST)
    paragraph = page.locator(".story__body p").nth(3)
    expect(paragraph).to_contain_text("He added that the weapons and ammunition were gifts from")
    expect(paragraph.get_by_role("link", name=BOLD_WORDS)).to_have_attribute("href", LINK_URL)
    expect(paragraph.locator("strong", has_text=BOLD_WORDS)).to_be_visible()
    topics = page.get_by_role("navigation", name="Topics")
    expect(topics.get_by_role("link", name=NEW_TAG)).to_be_visible()

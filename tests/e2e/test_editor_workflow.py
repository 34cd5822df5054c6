"""The editor's other tools, each as a person uses them: share links, revisions, edit conflicts,
and the photo that arrives after the wire copy."""

import re

from playwright.sync_api import Page, expect

from articles.models import Article

from ..helpers.images import jpeg_bytes


def open_story(page: Page, story: Article) -> None:
    page.goto("/admin/articles/article/")
    page.get_by_role("link", name=story.headline).click()
    expect(page.get_by_role("heading", name="Change article")).to_be_visible()


def save_and_continue(page: Page) -> None:
    # A live story's plain save keeps a working draft; the button says so.
    name = re.compile(r"^(Save and continue editing|Save working draft)$")
    page.get_by_role("button", name=name).click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")


def test_share_link_shows_the_draft_to_an_outsider_until_revoked(
    editor_page: Page, new_context, browser_problems, newsroom
):
    newsroom.status = Article.Status.DRAFT
    newsroom.save()
    page = editor_page
    open_story(page, newsroom)
    page.get_by_role("link", name="Share preview").click()
    page.get_by_role("button", name="Create a share link").click()
    expect(page.locator(".messagelist")).to_contain_text("Share link created")
    share_url = page.get_by_role("textbox", name=re.compile(r"^Share link")).input_value()

    outsider = new_context().new_page()  # no session: someone the link was sent to
    browser_problems.watch(outsider)
    outsider.goto(share_url)
    expect(outsider.get_by_role("status")).to_contain_text("Preview shared by the newsroom")
    expect(outsider.get_by_role("heading", level=1)).to_have_text(newsroom.headline)

    page.get_by_role("button", name="Revoke").click()
    expect(page.locator(".messagelist")).to_contain_text("no longer works")
    browser_problems.expect_status(410, outsider.url.split(browser_problems.origin, 1)[1])
    assert outsider.reload().status == 410
    expect(outsider.get_by_text("This preview link has been withdrawn.")).to_be_visible()
    expect(outsider.get_by_role("heading", name=newsroom.headline)).to_have_count(0)


def test_an_earlier_revision_is_restored_from_the_history(editor_page: Page, newsroom):
    page = editor_page
    original = newsroom.standfirst
    open_story(page, newsroom)
    save_and_continue(page)  # revision 1: the story as imported
    page.get_by_label("Standfirst").fill("A standfirst nobody liked.")
    save_and_continue(page)  # revision 2

    page.get_by_role("link", name="History").click()
    page.get_by_role("button", name="Compare selected revisions").click()
    expect(page.locator("#content-main")).to_contain_text("A standfirst nobody liked.")
    page.go_back()
    page.get_by_role("row", name=re.compile(r"^1 ")).get_by_role("link", name="Restore…").click()
    # Asked first, with what would change; the story is live, so it goes to the working draft.
    expect(page.locator("#content-main")).to_contain_text("A standfirst nobody liked.")
    page.get_by_role("button", name="Restore into the working draft").click()
    expect(page.locator(".messagelist")).to_contain_text("evision 1")
    open_story(page, newsroom)
    expect(page.get_by_label("Standfirst")).to_have_value(original)


def test_second_editor_saving_an_older_copy_is_stopped_with_the_changes(
    editor_page: Page, newsroom
):
    first = editor_page
    open_story(first, newsroom)
    second = first.context.new_page()  # the same desk, another tab opened at the same version
    open_story(second, newsroom)

    first.get_by_label("Standfirst").fill("The first editor's standfirst.")
    save_and_continue(first)

    second.locator("#id_byline").fill("Second Editor")
    second.get_by_role("button", name="Save working draft", exact=True).click()
    conflict = second.get_by_role("alert").filter(has_text="Changed by someone else")
    expect(conflict).to_be_visible()
    expect(conflict).to_contain_text("first editor's standfirst")
    expect(second.locator("#id_byline")).to_have_value("Second Editor")  # nothing lost
    newsroom.refresh_from_db()
    assert newsroom.byline == ""


def test_photo_arriving_after_the_wire_copy_is_uploaded_with_alt_text(
    editor_page: Page, newsroom, tmp_path
):
    page = editor_page
    photo_file = tmp_path / "mali-helicopters.jpg"
    photo_file.write_bytes(jpeg_bytes(1200, 800))
    alt_text = "Soldiers unload a helicopter from a cargo plane at Bamako airport"

    open_story(page, newsroom)
    page.get_by_role("link", name="View selected image").click()
    expect(page.get_by_text("No file yet")).to_be_visible()
    page.locator("input[type=file][name=file]").set_input_files(photo_file)
    page.get_by_label("Alt text").fill(alt_text)
    save_and_continue(page)
    expect(page.locator(".field-preview_large img.admin-photo-preview")).to_be_visible()

    page.get_by_role("link", name=newsroom.headline).click()
    page.get_by_role("link", name="View on site").click()
    photo = page.get_by_role("img", name=alt_text)
    expect(photo).to_be_visible()
    assert photo.evaluate("img => img.complete && img.naturalWidth > 0")
    expect(page.locator("figure figcaption")).to_contain_text("File: Benoit Tessier/Reuters")

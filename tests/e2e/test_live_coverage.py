"""Live coverage in two browsers: an editor posts from the desk with Ctrl+Enter, and a reader's
open page offers "1 new update" without moving, then shows it."""

from playwright.sync_api import Page, expect

from articles.editorial import live

from .browser import serious_accessibility_violations


def test_a_reader_sees_an_update_posted_in_another_browser(
    editor_page: Page, new_context, browser_problems, newsroom
):
    story = live.start_coverage(article=newsroom, user=None)
    live.post_update(article=story, user=None, body="<p>Coverage has begun.</p>", headline="Start")

    reader = new_context().new_page()
    browser_problems.watch(reader)
    reader.goto(story.get_absolute_url())
    stream = reader.locator("#live-stream")
    expect(stream.locator(".live-update")).to_have_count(1)
    assert serious_accessibility_violations(reader) == []

    editor_page.goto(f"/admin/articles/article/{story.pk}/change/")
    desk = editor_page.locator("#live-desk")
    desk.get_by_label("Headline (optional)").fill("Helicopters land")
    body = desk.get_by_role("textbox", name="Body")
    body.click()
    editor_page.keyboard.type("Two helicopters landed at the airport.")
    editor_page.keyboard.press("Control+Enter")
    expect(editor_page.get_by_text("Update posted.")).to_be_visible()

    button = reader.get_by_role("button", name="Show 1 new update")
    expect(button).to_be_visible(timeout=15_000)
    expect(reader.locator("#live-announcer")).to_have_text("1 new update")
    # Nothing moved under the reader: the new update waits behind the button.
    expect(stream.locator(".live-update")).to_have_count(1)
    button.click()
    expect(stream.locator(".live-update")).to_have_count(2)
    first = stream.locator(".live-update").first
    expect(first).to_contain_text("Two helicopters landed at the airport.")
    expect(first.get_by_role("heading", name="Helicopters land")).to_be_visible()
    expect(button).to_be_hidden()

    # Deleted at the desk: it leaves the open page by itself.
    first_id = first.get_attribute("id")
    update = story.live_updates.get(pk=int(first_id.removeprefix("update-")))
    live.delete_update(update=update, user=None)
    expect(reader.locator(f"#{first_id}")).to_have_count(0, timeout=15_000)


def test_a_permalink_opens_the_page_at_its_update(page: Page, newsroom):
    story = live.start_coverage(article=newsroom, user=None)
    target = live.post_update(article=story, user=None, body="<p>The one linked to.</p>")
    for number in range(12):
        live.post_update(
            article=story, user=None, body=f"<p>Later update {number}. {'Words. ' * 40}</p>"
        )
    page.goto(f"{story.get_absolute_url()}#update-{target.pk}")
    update = page.locator(f"#update-{target.pk}")
    expect(update).to_be_in_viewport()
    expect(update).to_contain_text("The one linked to.")


def test_the_key_events_box_follows_pins_on_an_open_page(page: Page, browser_problems, newsroom):
    story = live.start_coverage(article=newsroom, user=None)
    first = live.post_update(
        article=story, user=None, body="<p>Troops reach the capital.</p>", headline="Troops arrive"
    )
    live.post_update(article=story, user=None, body="<p>Roads are quiet.</p>")
    browser_problems.watch(page)
    page.goto(story.get_absolute_url())
    key_events = page.get_by_role("navigation", name="Key events")
    expect(page.locator("#live-stream .live-update")).to_have_count(2)
    expect(key_events).to_have_count(0)

    live.set_key_event(update=first, user=None, is_key_event=True)
    expect(key_events).to_be_visible(timeout=15_000)
    link = key_events.get_by_role("link", name="Troops arrive")
    expect(link).to_have_attribute("href", f"#update-{first.pk}")
    # The update itself is marked as a key event in the stream, and nothing else moved.
    expect(page.locator(f"#update-{first.pk}")).to_contain_text("Key event")
    expect(page.locator("#live-stream .live-update")).to_have_count(2)
    assert serious_accessibility_violations(page) == []

    live.set_key_event(update=first, user=None, is_key_event=False)
    expect(key_events).to_have_count(0, timeout=15_000)

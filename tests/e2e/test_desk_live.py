"""The story editor in a browser: autosave then restore after closing the page (a saved story and
one never saved), two editors seeing each other on one story, the focal point dragged on the
photo, the live preview following the typing, the photo tools; screenshots."""

import os
import re
import tempfile
from pathlib import Path

from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from articles.models import Article, Autosave, EditingPresence, Image

from ..helpers.factories import make_staff
from .browser import EDITOR_PASSWORD, log_in, serious_accessibility_violations

SHOTS = Path(os.environ.get("DESK_SHOTS_DIR") or Path(tempfile.gettempdir()) / "desk-edit-shots")


def test_autosave_survives_closing_the_page_and_restores(context, page: Page, editor, newsroom):
    # A draft, so that Save writes the story itself (a live story's Save keeps a working draft).
    Article.objects.filter(pk=newsroom.pk).update(status=Article.Status.DRAFT)
    log_in(page)
    change = reverse("admin:articles_article_change", args=[newsroom.pk])
    page.goto(change)
    standfirst = page.get_by_label("Standfirst")
    standfirst.fill("")
    standfirst.press_sequentially("Four helicopters land in Bamako as the junta", delay=20)
    expect(page.locator("[data-autosave-status]")).to_have_text(re.compile(r"^Saved \d\d:\d\d$"))
    slot = Autosave.objects.get(article=newsroom)
    assert slot.data["standfirst"] == ["Four helicopters land in Bamako as the junta"]
    page.close()  # mid-sentence, never saved

    again = context.new_page()
    again.goto(change)
    offer = again.locator("[data-autosave-offer]")
    expect(offer).to_contain_text("You have unsaved changes from")
    assert again.get_by_label("Standfirst").input_value() != slot.data["standfirst"][0]
    offer.get_by_role("link", name="Restore them").click()
    expect(again.get_by_text("Restored your unsaved changes from")).to_be_visible()
    expect(again.get_by_label("Standfirst")).to_have_value(slot.data["standfirst"][0])
    again.get_by_role("button", name="Save", exact=True).click()
    expect(again.locator(".messagelist")).to_contain_text("changed successfully")
    newsroom.refresh_from_db()
    assert newsroom.standfirst == "Four helicopters land in Bamako as the junta"
    assert not Autosave.objects.exists()
    again.close()


def test_a_new_story_is_autosaved_and_restored_after_closing_the_page(context, page: Page, editor):
    log_in(page)
    add = reverse("admin:articles_article_add")
    page.goto(add)
    page.get_by_label("Headline:").press_sequentially("Floods close the coast road", delay=15)
    standfirst = page.get_by_label("Standfirst")
    standfirst.press_sequentially("The road between the two ports will stay shut unt", delay=15)
    expect(page.locator("[data-autosave-status]")).to_have_text(re.compile(r"^Saved \d\d:\d\d$"))
    slot = Autosave.objects.get(user=editor)
    assert slot.article is None
    assert slot.data["standfirst"] == ["The road between the two ports will stay shut unt"]
    assert not Article.objects.filter(headline="Floods close the coast road").exists()
    page.close()  # mid-sentence, never saved

    again = context.new_page()
    again.goto(add)
    offer = again.locator("[data-autosave-offer]")
    expect(offer).to_contain_text("You have unsaved changes from")
    expect(again.get_by_label("Headline:")).to_have_value("")
    assert serious_accessibility_violations(again) == []
    offer.get_by_role("link", name="Restore them").click()
    expect(again.get_by_text("Restored your unsaved changes from")).to_be_visible()
    expect(again.get_by_label("Headline:")).to_have_value("Floods close the coast road")
    expect(again.get_by_label("Standfirst")).to_have_value(
        "The road between the two ports will stay shut unt"
    )
    again.get_by_label("Standfirst").press("Control+End")  # the sentence goes on where it stopped
    again.get_by_label("Standfirst").press_sequentially("il Friday.", delay=15)
    again.get_by_role("button", name="Save", exact=True).click()
    expect(again.locator(".messagelist")).to_contain_text("added successfully")
    story = Article.objects.get(headline="Floods close the coast road")
    assert story.standfirst == "The road between the two ports will stay shut until Friday."
    assert not Autosave.objects.exists()
    again.close()


def test_two_editors_see_each_other_on_the_same_story(
    page: Page, editor, editorial_roles, newsroom, new_context, browser_problems
):
    amina = make_staff("amina", role="Editor", password=EDITOR_PASSWORD)
    amina.first_name = "Amina"
    amina.save()
    change = reverse("admin:articles_article_change", args=[newsroom.pk])
    log_in(page)
    with page.expect_response(lambda response: response.url.endswith("/presence/")):
        page.goto(change)  # its first heartbeat says it is open
    presence = page.locator("[data-presence]")
    expect(page.locator("[data-autosave-status]")).to_be_visible()
    expect(presence).to_be_empty()  # alone so far

    other = new_context().new_page()
    browser_problems.watch(other)
    log_in(other, "amina", EDITOR_PASSWORD)
    with other.expect_response(lambda response: response.url.endswith("/presence/")):
        other.goto(change)  # Amina's first heartbeat records her
    opened = {
        entry.user.username: timezone.localtime(entry.opened_at).strftime("%H:%M")
        for entry in EditingPresence.objects.filter(article=newsroom).select_related("user")
    }
    expect(other.locator("[data-presence]")).to_have_text(
        f"editor is also editing this story (since {opened['editor']})."
    )
    # The first editor learns of Amina at their next heartbeat (every 20 s), without reloading.
    # (Playwright's fake clock would be quicker, but its script is refused in the sandboxed
    # preview frame and that console error would fail the test.)
    expect(presence).to_have_text(
        f"Amina is also editing this story (since {opened['amina']}).", timeout=40_000
    )


def test_focal_point_by_dragging_on_the_photo(editor_page: Page, seed_photo):
    page = editor_page
    page.goto(reverse("admin:articles_image_change", args=[seed_photo.pk]))
    photo = page.locator("[data-focal-point-image]")
    expect(photo).to_be_visible()
    box = photo.bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.5)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.7, box["y"] + box["height"] * 0.4, steps=5)
    page.mouse.move(box["x"] + box["width"] * 0.8, box["y"] + box["height"] * 0.25, steps=5)
    page.mouse.up()
    x = float(page.locator("#id_focal_x").input_value())
    y = float(page.locator("#id_focal_y").input_value())
    assert abs(x - 0.8) < 0.02 and abs(y - 0.25) < 0.02
    expect(page.locator(".focal-point__crop")).to_have_count(3)
    position = page.locator(".focal-point__crop--card img").evaluate(
        "img => getComputedStyle(img).objectPosition"
    )
    assert position.startswith("80")
    page.locator(".focal-point__marker").focus()
    page.keyboard.press("ArrowDown")
    assert float(page.locator("#id_focal_y").input_value()) > y
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("changed successfully")
    seed_photo.refresh_from_db()
    assert abs(seed_photo.focal_x - 0.8) < 0.03 and seed_photo.focal_y > 0.25


def test_the_live_preview_follows_the_typing(editor_page: Page, newsroom):
    page = editor_page
    page.goto(reverse("admin:articles_article_change", args=[newsroom.pk]))
    page.get_by_role("button", name="Live preview").click()
    panel = page.locator("[data-live-preview]")
    expect(panel).to_be_visible()
    frame = page.frame_locator("[data-preview-frame]")
    expect(frame.locator("h1")).to_have_text(newsroom.headline)
    headline = page.get_by_label("Headline")
    headline.fill("Mali takes delivery of four Russian helicopters")
    expect(frame.locator("h1")).to_have_text("Mali takes delivery of four Russian helicopters")
    expect(frame.locator("body")).to_contain_text("not published")
    page.get_by_role("button", name="Mobile").click()
    width = page.locator("[data-preview-frame]").evaluate("f => f.getBoundingClientRect().width")
    assert width <= 376
    newsroom.refresh_from_db()
    assert newsroom.headline != "Mali takes delivery of four Russian helicopters"


def test_screenshots_of_the_editor_with_preview_and_photo_tools(
    editor_page: Page, newsroom, seed_photo
):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = editor_page
    waiting = Image.objects.create(caption="Soldiers at the airport", credit="Reuters")
    newsroom.lead_image = waiting
    newsroom.save()
    for width in (1280, 375):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(reverse("admin:articles_article_change", args=[newsroom.pk]))
        expect(page.get_by_text("Caption waiting for a photo.")).to_be_visible()
        page.locator("[data-lead-photo]").scroll_into_view_if_needed()
        page.screenshot(path=SHOTS / f"lead-photo-{width}.png")
        page.get_by_role("link", name="Choose from the photo library").click()
        dialog = page.get_by_role("dialog")
        expect(dialog.locator("[data-photo-id]")).to_have_count(1)
        page.screenshot(path=SHOTS / f"chooser-{width}.png")
        dialog.get_by_role("button", name="Close").click()
        page.get_by_role("button", name="Live preview").click()
        expect(page.frame_locator("[data-preview-frame]").locator("h1")).to_be_visible()
        page.screenshot(path=SHOTS / f"preview-{width}.png")
        page.goto(reverse("admin:articles_image_change", args=[seed_photo.pk]))
        page.locator("[data-focal-point]").scroll_into_view_if_needed()
        page.screenshot(path=SHOTS / f"focal-point-{width}.png")


def test_choose_a_thumbnail_and_drop_a_file(editor_page: Page, newsroom, seed_photo):
    page = editor_page
    Article.objects.filter(pk=newsroom.pk).update(status=Article.Status.DRAFT, lead_image=None)
    page.goto(reverse("admin:articles_article_change", args=[newsroom.pk]))
    expect(page.get_by_text("No lead photo yet.")).to_be_visible()
    page.get_by_role("link", name="Choose from the photo library").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Search photos").fill("no such photo")
    expect(dialog).to_contain_text("No photos match")
    dialog.get_by_label("Search photos").fill("Wagner")
    dialog.locator(f'[data-photo-id="{seed_photo.pk}"]').click()
    expect(dialog).to_be_hidden()
    panel = page.locator("[data-lead-photo]")
    expect(panel.locator("img.lead-photo__thumb")).to_be_visible()
    expect(panel).to_contain_text("Benoit Tessier/Reuters")
    assert page.locator("#id_lead_image").input_value() == str(seed_photo.pk)

    # Dropping a file onto the photo fieldset puts it in the file box and shows it.
    page.evaluate(
        """async () => {
            const canvas = document.createElement("canvas");
            canvas.width = 40; canvas.height = 30;
            canvas.getContext("2d").fillRect(0, 0, 40, 30);
            const blob = await new Promise((done) => canvas.toBlob(done, "image/png"));
            const transfer = new DataTransfer();
            transfer.items.add(new File([blob], "dropped.png", { type: "image/png" }));
            const zone = document.querySelector("[data-photo-drop]").closest("fieldset");
            for (const type of ["dragover", "drop"]) {
                zone.dispatchEvent(new DragEvent(type, { dataTransfer: transfer, bubbles: true }));
            }
        }"""
    )
    expect(page.locator("[data-photo-drop-preview]")).to_be_visible()
    assert page.locator("#id_lead_photo_file").evaluate("i => i.files[0].name") == "dropped.png"
    page.get_by_label("Alt text").fill("A black square")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("changed successfully")
    newsroom.refresh_from_db()
    assert newsroom.lead_image_id != seed_photo.pk
    assert newsroom.lead_image.file and newsroom.lead_image.alt_text == "A black square"

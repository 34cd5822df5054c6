"""The seed story is light, self-contained and steady: measured in the browser, not guessed."""

from urllib.parse import urlsplit

from django.conf import settings
from playwright.sync_api import Page, Request, Route, expect

from .browser import LAYOUT_SHIFT_OBSERVER, cumulative_layout_shift

PAGE_BUDGET_BYTES = 100 * 1024  # HTML + CSS + JS + fonts, photos not counted
NO_SHIFT = 0.001  # Chromium reports fractions; anything a reader could notice is far above this


def transferred_bytes(request: Request) -> int:
    sizes = request.sizes()
    return sizes["responseHeadersSize"] + sizes["responseBodySize"]


def test_seed_story_transfers_under_budget_from_its_own_origin(page: Page, live_server, newsroom):
    finished: list[Request] = []
    page.on("requestfinished", lambda request: finished.append(request))
    page.goto(newsroom.get_absolute_url(), wait_until="networkidle")
    expect(page.get_by_role("heading", level=1)).to_have_text(newsroom.headline)

    origins = {f"{urlsplit(r.url).scheme}://{urlsplit(r.url).netloc}" for r in finished}
    assert origins == {live_server.url}, f"resources from elsewhere: {origins}"
    counted = [r for r in finished if r.resource_type not in {"image", "media"}]
    assert {r.resource_type for r in counted} >= {"document", "stylesheet"}
    total = sum(transferred_bytes(r) for r in counted)
    breakdown = {r.url: transferred_bytes(r) for r in counted}
    assert total < PAGE_BUDGET_BYTES, f"{total} bytes: {breakdown}"


def test_lead_photo_arriving_late_does_not_move_the_text(page: Page, newsroom, seed_photo):
    """The photo is held back until the text has been laid out, like on a slow connection."""

    held: list[Route] = []
    page.route("**/media/**", lambda route: held.append(route))
    page.add_init_script(LAYOUT_SHIFT_OBSERVER)
    page.goto(newsroom.get_absolute_url(), wait_until="domcontentloaded")
    expect(page.locator(".story__body p").first).to_be_visible()
    standfirst_top = page.locator(".standfirst").bounding_box()["y"]
    body_top = page.locator(".story__body").bounding_box()["y"]

    assert held, "the story page asked for no photo"
    for route in held:
        stored = urlsplit(route.request.url).path.removeprefix("/" + settings.MEDIA_URL.strip("/"))
        route.fulfill(path=settings.MEDIA_ROOT / stored.lstrip("/"))
    photo_element = page.get_by_role("img", name=seed_photo.alt_text)
    expect(photo_element).to_be_visible()
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=photo_element.element_handle()
    )
    page.evaluate("() => new Promise(done => requestAnimationFrame(() => setTimeout(done)))")

    assert page.locator(".standfirst").bounding_box()["y"] == standfirst_top
    assert page.locator(".story__body").bounding_box()["y"] == body_top
    assert cumulative_layout_shift(page) < NO_SHIFT

"""The Arabic and French pages in Chromium: right to left where it should be, mirrored layout,
axe clean, and screenshots of both (docs/screenshots/, shown in the README)."""

import pytest
from playwright.sync_api import Page, expect

from articles.editorial import services
from articles.models import Tag

from .browser import save_screenshot, serious_accessibility_violations

VIEWPORTS = {375: 812, 1280: 900}

ARABIC_BODY = (
    "<p>تسلّم الجيش المالي طائرات مروحية وأسلحة من روسيا، بحسب ما أعلنه وزير الدفاع "
    "Sadio Camara في مطار باماكو.</p>"
    "<p>وجاءت الشحنة في إطار تعاون عسكري متزايد بين باماكو وموسكو، في وقت تدهورت فيه "
    "العلاقات مع فرنسا.</p>"
)
FRENCH_BODY = (
    "<p>Le Mali a reçu des hélicoptères et des armes de la Russie, a annoncé le ministre de la "
    "Défense, Sadio Camara, à l’aéroport de Bamako.</p>"
)


@pytest.fixture
def translations(newsroom, seed_photo):
    """The seed story in Arabic and French, published, with its photo (a file: captions without
    one are not shown to readers)."""
    Tag.objects.filter(name="Mali").update(names={"fr": "Mali", "ar": "مالي"})
    made = {}
    for language, headline, standfirst, body, byline in [
        (
            "ar",
            "مالي تتسلم مروحيات وأسلحة من روسيا",
            "وصلت الشحنة إلى باماكو وسط توتر مع فرنسا.",
            ARABIC_BODY,
            "Al Jazeera",
        ),
        (
            "fr",
            "Le Mali reçoit des hélicoptères et des armes de la Russie",
            "La livraison intervient alors que les relations avec la France se dégradent.",
            FRENCH_BODY,
            "Al Jazeera",
        ),
    ]:
        draft = services.translate_article(article=newsroom, language=language, user=None)
        draft.headline, draft.standfirst, draft.body, draft.byline = (
            headline,
            standfirst,
            body,
            byline,
        )
        services.save_article(article=draft, user=None)
        story = services.publish_article(article=draft, user=None, at=newsroom.published_at)
        services.add_correction(
            article=story,
            user=None,
            text="صُحّح اسم الوزير." if language == "ar" else "Le nom du ministre a été corrigé.",
        )
        made[language] = story
    return made


@pytest.fixture(params=sorted(VIEWPORTS), ids=lambda width: f"{width}px")
def sized_page(request, page: Page) -> Page:
    page.set_viewport_size({"width": request.param, "height": VIEWPORTS[request.param]})
    return page


def box(page: Page, selector: str) -> dict:
    return page.locator(selector).first.bounding_box()


def test_arabic_story_is_right_to_left_and_mirrored(sized_page: Page, translations):
    page = sized_page
    story = translations["ar"]
    page.goto(story.get_absolute_url())
    expect(page.get_by_role("heading", level=1)).to_have_text(story.headline)
    assert page.evaluate("document.documentElement.dir") == "rtl"
    assert page.evaluate("document.documentElement.lang") == "ar"
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"

    # The byline starts at the right edge of the story, not the left.
    header, byline = box(page, ".story__header"), box(page, ".meta")
    assert abs((header["x"] + header["width"]) - (byline["x"] + byline["width"])) < 2
    text_right = page.evaluate(
        """() => { const r = document.createRange();
        r.selectNodeContents(document.querySelector('.byline'));
        const b = r.getBoundingClientRect(); return [b.left, b.right]; }"""
    )
    assert text_right[1] > header["x"] + header["width"] / 2  # on the right half

    # The photo's caption comes first from the right, its credit after it (to its left).
    caption, credit = box(page, ".lead-figure .caption"), box(page, ".lead-figure .credit")
    assert caption["x"] + caption["width"] >= credit["x"] + credit["width"]

    # The corrections' rule is on the right (the start side in Arabic).
    borders = page.evaluate(
        """() => { const s = getComputedStyle(document.querySelector('.corrections'));
        return [s.borderRightWidth, s.borderLeftWidth]; }"""
    )
    assert borders == ["4px", "0px"]

    # An English name in the Arabic byline is isolated, and the switcher offers the others.
    assert page.locator(".byline bdi").inner_text() == "Al Jazeera"
    switcher = page.get_by_role("navigation", name="هذا الخبر بلغات أخرى")
    expect(switcher.get_by_role("link", name="Français")).to_be_visible()
    expect(switcher.get_by_role("link", name="English")).to_be_visible()
    assert serious_accessibility_violations(page) == []
    save_screenshot(page, "arabic-story")


def test_arabic_search_facets_are_mirrored(sized_page: Page, translations):
    page = sized_page
    page.goto("/ar/search/?q=" + "مروحيات")
    expect(page.get_by_role("heading", level=2, name="خبر واحد")).to_be_visible()
    assert page.evaluate("document.documentElement.dir") == "rtl"
    results, facets = box(page, ".search-results"), box(page, ".search-facets")
    if page.viewport_size["width"] >= 900:  # side by side: the facets on the left in Arabic
        assert facets["x"] + facets["width"] <= results["x"]
    else:  # stacked
        assert facets["y"] >= results["y"] + results["height"] - 1
    assert serious_accessibility_violations(page) == []
    save_screenshot(page, "arabic-search")


def test_french_story_reads_in_french(sized_page: Page, translations):
    page = sized_page
    story = translations["fr"]
    page.goto(story.get_absolute_url())
    expect(page.get_by_role("heading", level=1)).to_have_text(story.headline)
    assert page.evaluate("document.documentElement.lang") == "fr"
    assert page.evaluate("document.documentElement.dir") == "ltr"
    expect(page.get_by_role("heading", name="Corrections et mises à jour")).to_be_visible()
    assert serious_accessibility_violations(page) == []
    save_screenshot(page, "french-story")
    page.goto("/fr/search/?q=helicopteres")
    expect(page.get_by_role("heading", level=2, name="1 article")).to_be_visible()
    save_screenshot(page, "french-search")


def test_arabic_live_page_counts_new_updates_in_arabic_plural_forms(page: Page, newsroom):
    """live.js picks the phrase with Intl.PluralRules("ar") from the forms the page gives: two is
    the dual, three to ten the "few" form, never an English or a one/many guess."""
    from articles.editorial import live

    story = services.translate_article(article=newsroom, language="ar", user=None)
    story.headline = "تغطية مباشرة للانتخابات"
    services.save_article(article=story, user=None)
    story = services.publish_article(article=story, user=None, at=newsroom.published_at)
    live.start_coverage(article=story, user=None)
    live.post_update(article=story, user=None, body="<p>بدأت التغطية.</p>")
    page.goto(story.get_absolute_url())
    expect(page.locator("#live-stream .live-update")).to_have_count(1)

    for text in ["أغلقت مراكز الاقتراع.", "بدأ الفرز."]:
        live.post_update(article=story, user=None, body=f"<p>{text}</p>")
    button = page.locator(".live__new button").first
    expect(button).to_have_text("اعرض التحديثين الجديدين", timeout=15_000)
    expect(page.locator("#live-announcer")).to_have_text("تحديثان جديدان")

    live.post_update(article=story, user=None, body="<p>النتائج الأولى.</p>")
    expect(button).to_have_text("اعرض 3 تحديثات جديدة", timeout=15_000)
    expect(page.locator("#live-announcer")).to_have_text("3 تحديثات جديدة")
    button.click()
    expect(page.locator("#live-stream .live-update")).to_have_count(4)
    expect(page.locator("#live-announcer")).to_have_text("عُرضت 3 تحديثات جديدة")

"""What the browser tests share: logging in, accessibility checks, screenshots, measurements."""

import itertools
from pathlib import Path

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Locator, Page, expect

SCREENSHOTS_DIR = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
EDITOR_USERNAME = "editor"
EDITOR_PASSWORD = "correct horse battery staple"

_axe = Axe()

# Collects every layout shift from the first paint on; read with `cumulative_layout_shift`.
LAYOUT_SHIFT_OBSERVER = """
window.__layoutShifts = [];
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    if (!entry.hadRecentInput) {
      window.__layoutShifts.push({
        value: entry.value,
        sources: (entry.sources || []).map((s) => s.node ? s.node.outerHTML.slice(0, 120) : "?"),
      });
    }
  }
}).observe({type: "layout-shift", buffered: true});
"""


def log_in(page: Page, username: str = EDITOR_USERNAME, password: str = EDITOR_PASSWORD) -> None:
    """Log in through the admin's own form, as a person would."""
    page.goto("/admin/login/?next=/admin/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Newsroom", exact=True)).to_be_visible()


def serious_accessibility_violations(page: Page) -> list[str]:
    """axe-core (bundled, offline) on the page as it is now: serious and critical findings."""
    results = _axe.run(page)
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} — "
        + "; ".join(node["html"][:160] for node in violation["nodes"][:5])
        for violation in results.response["violations"]
        if violation["impact"] in {"serious", "critical"}
    ]


def heading_levels(page: Page) -> list[int]:
    return page.locator("h1, h2, h3, h4, h5, h6").evaluate_all(
        "els => els.map(el => Number(el.tagName[1]))"
    )


def assert_headings_in_order(page: Page) -> None:
    """One h1 first, and no level skipped on the way down (h2 → h4 is a skip)."""
    levels = heading_levels(page)
    assert levels, f"no headings on {page.url}"
    assert levels[0] == 1 and levels.count(1) == 1, f"{page.url}: headings {levels}"
    for previous, current in itertools.pairwise(levels):
        assert current <= previous + 1, f"{page.url}: heading h{previous} then h{current}"


def cumulative_layout_shift(page: Page) -> float:
    return page.evaluate("window.__layoutShifts.reduce((sum, s) => sum + s.value, 0)")


def save_screenshot(page: Page, name: str) -> Path:
    """A screenshot of what fits in the viewport, named for the README: `<name>-<width>.png`."""
    SCREENSHOTS_DIR.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS_DIR / f"{name}-{page.viewport_size['width']}.png"
    page.screenshot(path=path, animations="disabled", caret="hide")
    return path


def tab_to(page: Page, target: Locator, *, max_presses: int = 80) -> None:
    """Press Tab, as a keyboard user does, until `target` has the focus."""
    expect(target).to_be_visible()
    for _ in range(max_presses):
        page.keyboard.press("Tab")
        if target.evaluate("el => el === document.activeElement"):
            return
    raise AssertionError(f"{max_presses} presses of Tab never reached {target}")

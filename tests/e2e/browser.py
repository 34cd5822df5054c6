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


def heading_order_problems(page: Page) -> list[str]:
    """One h1 first, and no level skipped on the way down (h2 → h4 is a skip)."""
    levels = heading_levels(page)
    if not levels or levels[0] != 1 or levels.count(1) != 1:
        return [f"headings {levels}: want exactly one h1, first"]
    return [
        f"heading h{previous} then h{current}"
        for previous, current in itertools.pairwise(levels)
        if current > previous + 1
    ]


def page_frame_problems(page: Page) -> list[str]:
    """What every public page needs around its content: language, landmarks, icon."""
    problems = []
    if page.locator("html").get_attribute("lang") != "en":
        problems.append("<html> has no lang='en'")
    for landmark in ("banner", "main", "contentinfo"):
        if page.get_by_role(landmark).count() != 1:
            problems.append(f"want exactly one {landmark} landmark")
    if not page.get_by_role("navigation", name="Site").is_visible():
        problems.append("no visible site navigation")
    problems += icon_problems(page)
    return problems


def icon_problems(page: Page) -> list[str]:
    """Without a declared icon, browsers ask for /favicon.ico on every page and get a 404."""
    icons = page.locator("link[rel=icon]")
    if icons.count() != 1:
        return [f"{icons.count()} <link rel=icon>, want 1"]
    response = page.request.get(icons.evaluate("link => link.href"))
    if response.status != 200 or response.headers["content-type"] != "image/svg+xml":
        return [f"icon answers {response.status} {response.headers.get('content-type')}"]
    return []


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

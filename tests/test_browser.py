"""The built book in Debian's headless Chromium (via Playwright): exercises by mouse, by keyboard,
without JavaScript, axe-core accessibility checks, and screenshots.

Screenshots of a module page at 1280 px and 390 px wide are written to ``artifacts/screenshots/``
in the repository (gitignored) for a person to look at.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, expect, sync_playwright

from clientcraft.bank import Bank
from tests.support.browser import SCREENSHOTS, launch, serve

pytestmark = [pytest.mark.browser, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[1]
AXE = REPO / "tests" / "browser" / "node_modules" / "axe-core" / "axe.min.js"
MODULE = "modules/trust.html"


@pytest.fixture(scope="module")
def site(built_book: Path) -> Iterator[str]:
    """The built book served on 127.0.0.1 (a free port); yields the base URL."""
    with serve(built_book) as url:
        yield url


@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = launch(playwright)
    yield browser
    browser.close()


def _offline_context(
    browser: Browser, site: str, **options: object
) -> tuple[BrowserContext, list[str]]:
    """A context that refuses (and records) every request to a host other than the test server."""
    context = browser.new_context(**options)
    local = urlparse(site).netloc
    remote: list[str] = []

    def route(route, request) -> None:  # type: ignore[no-untyped-def]
        url = urlparse(request.url)
        if url.scheme in ("http", "https") and url.netloc != local:
            remote.append(request.url)
            route.abort()
        else:
            route.continue_()

    context.route("**/*", route)
    return context, remote


@pytest.fixture
def page(browser: Browser, site: str) -> Iterator[Page]:
    context, remote = _offline_context(browser, site, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert not remote, f"the page asked remote hosts for {remote}"
    assert not errors, f"JavaScript errors: {errors}"


def _first_exercise(page: Page, site: str, bank: Bank):  # type: ignore[no-untyped-def]
    page.goto(site + MODULE)
    scenario = bank.pool("practice", "trust")[0]
    return page.locator(f'[data-scenario-id="{scenario.id}"]'), scenario


def test_clicking_an_option_shows_its_feedback(page: Page, site: str, bank: Bank) -> None:
    exercise, scenario = _first_exercise(page, site, bank)
    group = exercise.get_by_role("group")
    expect(group).to_have_accessible_name(scenario.question)
    buttons = group.get_by_role("button")
    expect(buttons).to_have_count(len(scenario.options))
    panel = exercise.locator('[aria-live="polite"]')
    expect(panel.locator(".cc-feedback")).to_have_count(len(scenario.options))
    for feedback in panel.locator(".cc-feedback").all():
        expect(feedback).to_be_hidden()

    best, other = scenario.best, next(o for o in scenario.options if o.credit < 1)
    group.locator(f'button[data-key="{best.key}"]').click()
    shown = panel.locator(f'.cc-feedback[data-key="{best.key}"]')
    expect(shown).to_be_visible()
    expect(shown).to_contain_text("Full credit: 100 %")
    expect(group.locator(f'button[data-key="{best.key}"]')).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(exercise.locator(".cc-takeaway")).to_be_visible()

    group.locator(f'button[data-key="{other.key}"]').click()
    expect(panel.locator(f'.cc-feedback[data-key="{other.key}"]')).to_be_visible()
    expect(shown).to_be_hidden()
    expect(group.locator(f'button[data-key="{best.key}"]')).to_have_attribute(
        "aria-pressed", "false"
    )


def test_keyboard_only(page: Page, site: str, bank: Bank) -> None:
    exercise, scenario = _first_exercise(page, site, bank)
    first_key = scenario.options[0].key
    for _ in range(200):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "document.activeElement.closest('[data-scenario-id]')"
            " && document.activeElement.dataset.key || null"
        )
        if focused:
            break
    assert focused == first_key, "Tab reaches the first option of the first exercise"
    page.keyboard.press("Enter")
    panel = exercise.locator('[aria-live="polite"]')
    expect(panel.locator(f'.cc-feedback[data-key="{first_key}"]')).to_be_visible()

    second_key = scenario.options[1].key
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.dataset.key") == second_key
    page.keyboard.press("Space")
    expect(panel.locator(f'.cc-feedback[data-key="{second_key}"]')).to_be_visible()
    expect(panel.locator(f'.cc-feedback[data-key="{first_key}"]')).to_be_hidden()

    retry = exercise.get_by_role("button", name="Try another option")
    retry.focus()
    page.keyboard.press("Enter")
    expect(panel.locator(".cc-feedback").first).to_be_hidden()
    assert page.evaluate("document.activeElement.dataset.key") == first_key, (
        "trying again puts focus back on the first option"
    )


def test_without_javascript_details_show_the_feedback(
    browser: Browser, site: str, bank: Bank
) -> None:
    context, remote = _offline_context(browser, site, java_script_enabled=False)
    page = context.new_page()
    exercise, scenario = _first_exercise(page, site, bank)
    options = exercise.locator("details.cc-option")
    expect(options).to_have_count(len(scenario.options))
    option = scenario.options[0]
    feedback = options.first.locator(".cc-feedback")
    expect(feedback).to_be_hidden()
    options.first.locator("summary").click()
    expect(feedback).to_be_visible()
    expect(feedback).to_contain_text(option.feedback.split()[0])
    options.first.locator("summary").click()
    expect(feedback).to_be_hidden()
    context.close()
    assert not remote


def _serious_axe_violations(page: Page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} -> "
        + "; ".join(n["target"][0] for n in v["nodes"][:5])
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize(
    ("path", "mode"), [("intro.html", "light"), (MODULE, "light"), (MODULE, "dark")]
)
def test_no_serious_accessibility_violations(page: Page, site: str, path: str, mode: str) -> None:
    assert AXE.is_file(), "run: npm ci --prefix tests/browser"
    page.add_init_script(f"localStorage.setItem('mode', '{mode}')")
    page.goto(site + path)
    expect(page.locator("html")).to_have_attribute("data-theme", mode)
    if path == MODULE:
        page.locator(".cc-choice").first.click()
    violations = _serious_axe_violations(page)
    assert not violations, "\n".join(violations)


def test_screenshots_of_a_module_page(browser: Browser, site: str, bank: Bank) -> None:
    """Writes artifacts/screenshots/trust-{1280,390}-top.png (the page as it opens) and
    trust-{1280,390}-exercise.png (the first exercise after choosing an option)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for width in (1280, 390):
        context, remote = _offline_context(browser, site, viewport={"width": width, "height": 900})
        page = context.new_page()
        exercise, scenario = _first_exercise(page, site, bank)
        page.screenshot(path=str(SCREENSHOTS / f"trust-{width}-top.png"))
        exercise.locator(f'button[data-key="{scenario.options[-1].key}"]').click()
        box = exercise.evaluate(
            "e => { const r = e.getBoundingClientRect();"
            " return {x: r.left + scrollX, y: r.top + scrollY,"
            " width: r.width, height: r.height}; }"
        )
        page.evaluate("window.scrollTo(0, 0)")  # keeps the sticky header off the exercise
        margin = 16
        clip = {
            "x": max(box["x"] - margin, 0),
            "y": max(box["y"] - margin, 0),
            "width": min(box["width"] + 2 * margin, width),
            "height": box["height"] + 2 * margin,
        }
        page.screenshot(
            path=str(SCREENSHOTS / f"trust-{width}-exercise.png"), full_page=True, clip=clip
        )
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        context.close()
        assert not remote
        assert overflow <= 0, f"the page scrolls sideways at {width} px"
        assert (SCREENSHOTS / f"trust-{width}-exercise.png").stat().st_size > 10_000

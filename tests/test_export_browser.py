"""The SCORM 1.2 package in Debian's headless Chromium, run by a real SCORM runtime.

A host page plays the LMS: it loads scorm-again's SCORM 1.2 runtime (npm), sets
``window.API = new Scorm12API(...)``, keeps what the SCO commits (as an LMS keeps it in its
database; here in localStorage) and frames a module's launch page from the unzipped package. The
test answers exercises by clicking and reads what the runtime recorded.
"""

from __future__ import annotations

import shutil
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
from playwright.sync_api import Browser, BrowserContext, FrameLocator, Page, expect, sync_playwright

from clientcraft.bank import Bank, Scenario
from clientcraft.cli import main
from tests.support.browser import launch, serve

pytestmark = [pytest.mark.browser, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[1]
SCORM_AGAIN = REPO / "tests" / "browser" / "node_modules" / "scorm-again" / "dist" / "scorm12.js"
MODULE = "trust"

# The LMS: a SCORM 1.2 runtime that restores what was committed in an earlier visit.
HOST = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Test LMS</title>
<link rel="icon" href="data:,">
<script src="scorm12.js"></script>
<script>
  var KEY = "lms-cmi";
  var saved = localStorage.getItem(KEY);
  window.commits = 0;
  window.API = new Scorm12API({autocommit: false, logLevel: 4});
  if (saved) {
    API.loadFromJSON(JSON.parse(saved));
  }
  function keep() {
    window.commits += 1;
    localStorage.setItem(KEY, JSON.stringify(API.renderCommitCMI(true)));
  }
  API.on("LMSCommit", keep);
  API.on("LMSFinish", keep);
</script></head>
<body><iframe id="sco" title="SCO" style="width: 1280px; height: 900px"
  src="pkg/lms/MODULE.html"></iframe></body></html>
"""
# The same package in a page with no SCORM API anywhere.
NO_LMS = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>No LMS</title><link rel="icon" href="data:,">
</head><body><iframe id="sco" title="SCO" style="width: 1280px; height: 900px"
  src="pkg/lms/MODULE.html"></iframe></body></html>
"""


@pytest.fixture(scope="module")
def lms_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``clientcraft export scorm`` unzipped under ``pkg/`` next to the host pages, served on
    127.0.0.1; yields the base URL."""
    assert SCORM_AGAIN.is_file(), "run: npm ci --prefix tests/browser"
    root = tmp_path_factory.mktemp("lms")
    package = root / "clientcraft-scorm.zip"
    assert main(["export", "scorm", "--out", str(package), "--bank", str(REPO / "exercises")]) == 0
    with zipfile.ZipFile(package) as archive:
        archive.extractall(root / "pkg")
    shutil.copy(SCORM_AGAIN, root / "scorm12.js")
    (root / "host.html").write_text(HOST.replace("MODULE", MODULE), encoding="utf-8")
    (root / "no-lms.html").write_text(NO_LMS.replace("MODULE", MODULE), encoding="utf-8")
    with serve(root) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = launch(playwright)
        yield browser
        browser.close()


class Watched:
    """A page in a context that refuses other hosts, with its errors and console errors."""

    def __init__(self, browser: Browser, site: str) -> None:
        self.context: BrowserContext = browser.new_context(viewport={"width": 1400, "height": 1000})
        self.remote: list[str] = []
        self.errors: list[str] = []
        self.console_errors: list[str] = []
        local = urlparse(site).netloc

        def route(route, request) -> None:  # type: ignore[no-untyped-def]
            url = urlparse(request.url)
            if url.scheme in ("http", "https") and url.netloc != local:
                self.remote.append(request.url)
                route.abort()
            else:
                route.continue_()

        self.context.route("**/*", route)
        self.page: Page = self.context.new_page()
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        self.page.on(
            "console",
            lambda msg: self.console_errors.append(msg.text) if msg.type == "error" else None,
        )

    def close(self) -> None:
        self.context.close()
        assert not self.remote, f"the package asked remote hosts for {self.remote}"
        assert not self.errors, f"JavaScript errors: {self.errors}"


@pytest.fixture
def watched(browser: Browser, lms_site: str) -> Iterator[Watched]:
    watched = Watched(browser, lms_site)
    yield watched
    watched.close()


def _module(page: Page) -> FrameLocator:
    """The module page of the book, inside the launch page, inside the LMS page."""
    return page.frame_locator("#sco").frame_locator("#cc-sco-frame")


def _choose(module: FrameLocator, scenario: Scenario, key: str) -> None:
    exercise = module.locator(f'[data-scenario-id="{scenario.id}"]')
    exercise.locator(f'button.cc-choice[data-key="{key}"]').click()
    expect(exercise.locator(f'.cc-feedback[data-key="{key}"]')).to_be_visible()


def _cmi(page: Page) -> dict[str, Any]:
    """Everything the runtime holds for the SCO, interactions included."""
    return page.evaluate("API.renderCommitCMI(true)")["cmi"]


def _interactions(cmi: dict[str, Any]) -> list[dict[str, Any]]:
    found = cmi["interactions"]
    return [found[str(n)] for n in range(len(found))]


def test_answers_reach_the_lms_and_come_back_after_a_reload(
    watched: Watched, lms_site: str, bank: Bank
) -> None:
    page = watched.page
    page.goto(lms_site + "host.html")
    module = _module(page)
    scenarios = bank.pool("practice", MODULE)
    first, rest = scenarios[0], scenarios[1:]
    partial = next(o for o in first.options if 0 < o.credit < 1)
    expect(module.locator(".cc-scenario.cc-enhanced")).to_have_count(len(scenarios))
    assert page.evaluate("API.isInitialized()")
    assert _cmi(page)["core"]["lesson_status"] == "incomplete"

    # A partly right answer first, then the best one: both are interactions, the first counts.
    _choose(module, first, partial.key)
    _choose(module, first, first.best.key)
    cmi = _cmi(page)
    expected_first = round(100 * partial.credit / len(scenarios), 2)
    assert float(cmi["core"]["score"]["raw"]) == pytest.approx(expected_first)
    assert cmi["core"]["lesson_status"] == "incomplete"

    for scenario in rest:
        _choose(module, scenario, scenario.best.key)
    cmi = _cmi(page)
    interactions = _interactions(cmi)
    answers = [(first, partial.key), (first, first.best.key)]
    answers += [(s, s.best.key) for s in rest]
    assert len(interactions) == len(answers)
    for interaction, (scenario, key) in zip(interactions, answers, strict=True):
        credit = scenario.option(key).credit
        assert interaction["id"] == scenario.id
        assert interaction["type"] == "choice"
        assert interaction["student_response"] == key.lower()
        assert interaction["correct_responses"]["0"]["pattern"] == scenario.best.key.lower()
        assert interaction["weighting"] == "1"
        expected = "correct" if credit == 1 else "wrong" if credit == 0 else f"{credit:g}"
        assert interaction["result"] == expected
    score = 100 * (partial.credit + len(rest)) / len(scenarios)
    assert float(cmi["core"]["score"]["raw"]) == pytest.approx(round(score, 2))
    assert (cmi["core"]["score"]["min"], cmi["core"]["score"]["max"]) == ("0", "100")
    assert score >= 80
    assert cmi["core"]["lesson_status"] == "passed"
    suspend = page.evaluate("JSON.parse(API.cmi.suspend_data)")
    assert suspend["a"][first.id] == partial.key + first.best.key
    assert page.evaluate("window.commits") >= len(answers), "LMSCommit after every answer"

    # The LMS unloads the SCO: LMSFinish, with exit "suspend" so the next visit resumes.
    page.evaluate("document.getElementById('sco').remove()")
    assert page.evaluate("API.isTerminated()")
    cmi = _cmi(page)
    assert cmi["core"]["exit"] == "suspend"
    assert cmi["core"]["session_time"] != "00:00:00", "the SCO reported its session time"

    # The learner comes back: the runtime loads what was committed, the page shows the answers.
    page.reload()
    module = _module(page)
    expect(module.locator(".cc-scenario.cc-enhanced")).to_have_count(len(scenarios))
    for scenario, key in [(first, first.best.key)] + [(s, s.best.key) for s in rest]:
        exercise = module.locator(f'[data-scenario-id="{scenario.id}"]')
        expect(exercise.locator(f'button[data-key="{key}"]')).to_have_attribute(
            "aria-pressed", "true"
        )
        expect(exercise.locator(f'.cc-feedback[data-key="{key}"]')).to_be_visible()
    assert page.evaluate("API.cmi.core.lesson_status") == "passed"
    assert len(_interactions(_cmi(page))) == len(answers), "restoring records nothing new"


def test_below_the_mastery_score_the_module_is_completed_not_passed(
    watched: Watched, lms_site: str, bank: Bank
) -> None:
    page = watched.page
    page.goto(lms_site + "host.html")
    module = _module(page)
    scenarios = bank.pool("practice", MODULE)
    for scenario in scenarios:
        worst = min(scenario.options, key=lambda o: o.credit)
        _choose(module, scenario, worst.key)
    cmi = _cmi(page)
    assert float(cmi["core"]["score"]["raw"]) < 80
    assert cmi["core"]["lesson_status"] == "completed"


def test_other_modules_reached_by_a_link_do_not_report(
    watched: Watched, lms_site: str, bank: Bank
) -> None:
    page = watched.page
    page.goto(lms_site + "host.html")
    frame = page.frame_locator("#sco")
    frame.locator("#cc-sco-frame").evaluate("(f) => { f.src = '../modules/composure.html'; }")
    other = bank.pool("practice", "composure")[0]
    module = _module(page)
    _choose(module, other, other.best.key)
    assert _interactions(_cmi(page)) == []
    assert page.evaluate("API.cmi.suspend_data") == ""


def _baseline_console_errors(browser: Browser, site: str) -> list[str]:
    """What the book's module page itself logs when opened on its own (the theme's messages)."""
    watched = Watched(browser, site)
    watched.page.goto(site + f"pkg/modules/{MODULE}.html")
    expect(watched.page.locator(".cc-scenario.cc-enhanced").first).to_be_visible()
    watched.close()
    return watched.console_errors


@pytest.mark.parametrize("start", ["no-lms.html", f"pkg/lms/{MODULE}.html"])
def test_without_an_lms_the_package_is_the_normal_book(
    browser: Browser, watched: Watched, lms_site: str, bank: Bank, start: str
) -> None:
    baseline = _baseline_console_errors(browser, lms_site)
    page = watched.page
    page.goto(lms_site + start)
    launch = page.frame_locator("#sco") if start == "no-lms.html" else page
    module = launch.frame_locator("#cc-sco-frame")
    scenario = bank.pool("practice", MODULE)[0]
    _choose(module, scenario, scenario.best.key)
    expect(
        module.locator(
            f'[data-scenario-id="{scenario.id}"] .cc-feedback[data-key="{scenario.best.key}"]'
        )
    ).to_contain_text("Full credit: 100 %")
    launch_frame = next(f for f in page.frames if f.url.endswith(f"lms/{MODULE}.html"))
    assert launch_frame.evaluate("typeof window.clientcraftSco") == "undefined"
    extra = [e for e in watched.console_errors if e not in baseline]
    assert not extra, f"console errors only inside the package: {extra}"

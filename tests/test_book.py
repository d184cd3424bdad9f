"""Real Sphinx builds of the course book: every exercise once, no assessment text, nothing remote,
and bank errors, bad directive ids and bank edits handled by the ``clientcraft.sphinx`` extension."""

from __future__ import annotations

import json
import re
import shutil
import socket
from pathlib import Path
from urllib.parse import urlparse

import pytest
from bs4 import BeautifulSoup
from sphinx.search.en import SearchEnglish

from clientcraft.bank import Bank, Scenario, load_bank
from clientcraft.book import build_book
from clientcraft.errors import ClientcraftError
from clientcraft.formats import credit_label
from tests.support.books import small_book

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]


def words(text: str) -> str:
    """Text reduced to lowercase words, so Sphinx's smart quotes and line breaks don't matter."""
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))


def html_pages(site: Path) -> dict[Path, BeautifulSoup]:
    return {
        p: BeautifulSoup(p.read_text(encoding="utf-8"), "html.parser")
        for p in sorted(site.rglob("*.html"))
    }


@pytest.fixture(scope="module")
def pages(built_book: Path) -> dict[Path, BeautifulSoup]:
    return html_pages(built_book)


def test_every_page_of_the_toc_is_built(built_book: Path, bank: Bank) -> None:
    for topic in bank.topics:
        assert (built_book / f"{topic.docname}.html").is_file(), topic.id
        assert (built_book / "instructor" / f"{topic.id}.html").is_file(), topic.id
    for page in ("intro", "instructor/index", "instructor/assessments", "glossary", "sources"):
        assert (built_book / f"{page}.html").is_file(), page


def test_every_practice_scenario_appears_exactly_once(
    pages: dict[Path, BeautifulSoup], bank: Bank
) -> None:
    texts = {path: words(soup.get_text(" ")) for path, soup in pages.items()}
    for scenario in bank.pool("practice"):
        marked = [
            path
            for path, soup in pages.items()
            for _ in soup.select(f'[data-scenario-id="{scenario.id}"]')
        ]
        assert len(marked) == 1, (scenario.id, marked)
        situation = words(scenario.situation)
        assert sum(t.count(situation) for t in texts.values()) == 1, scenario.id
        assert marked[0].stem == scenario.topic, "rendered on its own topic's module page"


def test_exercise_markup_works_without_javascript(
    pages: dict[Path, BeautifulSoup], built_book: Path, bank: Bank
) -> None:
    soup = pages[built_book / "modules" / "trust.html"]
    practice = bank.pool("practice", "trust")
    exercises = soup.select("section.cc-scenario")
    assert [e["data-scenario-id"] for e in exercises] == [s.id for s in practice], "bank order"
    for exercise, scenario in zip(exercises, practice, strict=False):
        assert exercise.select(".cc-situation p"), "situation is parsed markdown, not raw text"
        group = exercise.select_one('[role="group"]')
        question = soup.find(id=group["aria-labelledby"])
        assert words(question.get_text()) == words(scenario.question)
        options = group.select("details.cc-option")
        assert [d["data-key"] for d in options] == list(scenario.keys)
        for details, option in zip(options, scenario.options, strict=False):
            assert words(details.summary.get_text()) == words(f"{option.key}. {option.text}")
            feedback = details.select_one(".cc-feedback")
            assert credit_label(option.credit) in feedback.get_text()
            assert words(option.feedback) in words(feedback.get_text())
            if option.consequence:
                assert words(option.consequence) in words(feedback.get_text())
        assert words(scenario.takeaway) in words(
            exercise.select_one("details.cc-takeaway").get_text()
        )
        article = bank.article(scenario.source.article)
        source = exercise.select_one(".cc-source").get_text()
        assert article.english_title in source and scenario.source.section in source


def test_credit_labels() -> None:
    assert credit_label(1) == "Full credit: 100 %"
    assert credit_label(0.5) == "Partial credit: 50 %"
    assert credit_label(0) == "No credit: 0 %"


def _texts(scenario: Scenario) -> set[str]:
    return {
        words(text)
        for text in (
            scenario.situation,
            scenario.question,
            scenario.takeaway,
            *(o.text for o in scenario.options),
            *(o.feedback for o in scenario.options),
            *(o.consequence or "" for o in scenario.options),
        )
    }


def _assessment_texts(bank: Bank) -> set[str]:
    """Each text of an assessment scenario (not a short or shared one like "What should Sofia do?")."""
    practice = set().union(*(_texts(s) for s in bank.pool("practice")))
    return {
        text for s in bank.pool("assessment") for text in _texts(s) - practice if len(text) > 30
    }


def test_no_assessment_text_in_any_built_file(built_book: Path, bank: Bank) -> None:
    assert bank.pool("assessment"), "the shipped bank has assessment scenarios to look for"
    files: dict[Path, str] = {}
    for path in built_book.rglob("*"):
        if path.suffix in {".html", ".js", ".txt", ".json", ".css"}:
            raw = path.read_text(encoding="utf-8", errors="replace")
            text = (
                BeautifulSoup(raw, "html.parser").get_text(" ") if path.suffix == ".html" else raw
            )
            files[path] = words(text)
    for needle in _assessment_texts(bank):
        leaks = [p for p, text in files.items() if needle in text]
        assert not leaks, (needle[:60], leaks)
    for scenario in bank.pool("assessment"):
        assert not [p for p, text in files.items() if scenario.id in text], scenario.id


def test_search_index_has_no_word_only_assessments_use(built_book: Path, bank: Bank) -> None:
    """Words that occur only in assessment scenarios must not be search terms of the site."""
    raw = (built_book / "searchindex.js").read_text(encoding="utf-8")
    terms = set(json.loads(raw[raw.index("(") + 1 : raw.rindex(")")])["terms"])
    lang = SearchEnglish({})

    def stems(text: str) -> set[str]:
        return {lang.stem(w).lower() for w in lang.split(text) if w}

    elsewhere: set[str] = set()
    for page in (REPO / "book").rglob("*.md"):
        elsewhere |= stems(page.read_text(encoding="utf-8"))
    for scenario in bank.pool("practice"):
        elsewhere |= stems(" ".join(_texts(scenario)))
    only_assessment = (
        set().union(*(stems(" ".join(_texts(s))) for s in bank.pool("assessment"))) - elsewhere
    )
    assert only_assessment, "the assessment scenarios have words of their own to look for"
    assert not only_assessment & terms


def test_no_page_loads_anything_from_a_remote_host(
    pages: dict[Path, BeautifulSoup], built_book: Path
) -> None:
    assert len(pages) > 20
    for path, soup in pages.items():
        for tag, attr in (
            ("script", "src"),
            ("link", "href"),
            ("img", "src"),
            ("iframe", "src"),
            ("source", "src"),
        ):
            for element in soup.find_all(tag, attrs={attr: True}):
                url = urlparse(element[attr])
                assert not url.scheme and not url.netloc, (path, str(element))
        assert "https://unpkg.com" not in str(soup), path
    for css in built_book.rglob("*.css"):
        remote = re.findall(r"(?:@import|url\()\s*['\"]?(?:https?:)?//", css.read_text("utf-8"))
        assert not remote, css
    scenario_js = built_book / "_static" / "scenario.js"
    assert scenario_js.is_file() and (built_book / "_static" / "scenario.css").is_file()


# --- small books built from a scratch page, to check errors and rebuilds ------------------------


def test_broken_bank_fails_the_build_with_file_and_line(
    small_bank_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    book = small_book(small_bank_dir.parent, "```{scenarios} trust\n```")
    broken = small_bank_dir / "fixture.yml"
    lines = broken.read_text(encoding="utf-8").splitlines()
    line = next(n for n, text in enumerate(lines, 1) if "credit: 1" in text)
    lines[line - 1] = lines[line - 1].replace("credit: 1", "credit: 7")
    broken.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ClientcraftError) as raised:
        build_book(book)
    assert any(p.startswith(f"{broken}:{line}:") and "credit 7" in p for p in raised.value.problems)
    assert f"{broken}:{line}:" in capsys.readouterr().err, "Sphinx reports it too"
    assert not (book / "_build" / "html" / "index.html").exists()


def test_scenario_directive_refuses_assessment_scenarios(
    small_bank_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    secret = load_bank(small_bank_dir).pool("assessment")[0]
    book = small_book(small_bank_dir.parent, f"```{{scenario}} {secret.id}\n```")
    with pytest.raises(ClientcraftError):
        build_book(book, strict=True)
    err = capsys.readouterr().err
    assert "index.md" in err and f"scenario '{secret.id}' is in the assessment pool" in err
    build_book(book)
    built = "".join(
        p.read_text(encoding="utf-8") for p in (book / "_build" / "html").rglob("*.*js*")
    )
    built += (book / "_build" / "html" / "index.html").read_text(encoding="utf-8")
    assert "SECRET-ASSESSMENT" not in built


def test_scenario_directive_renders_one_practice_scenario(
    small_bank_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bank = load_bank(small_bank_dir)
    chosen = next(s for s in bank.pool("practice") if "**" in s.situation)
    book = small_book(
        small_bank_dir.parent,
        f"```{{scenario}} {chosen.id}\n```\n\n```{{scenario}} no-such-id\n```",
    )
    with pytest.raises(ClientcraftError):
        build_book(book, strict=True)
    assert "no scenario 'no-such-id'" in capsys.readouterr().err
    soup = BeautifulSoup(
        (book / "_build" / "html" / "index.html").read_text("utf-8"), "html.parser"
    )
    assert [e["data-scenario-id"] for e in soup.select(".cc-scenario")] == [chosen.id]
    bold = chosen.situation.split("**")[1]
    assert soup.select_one(".cc-situation strong").get_text() == bold, "markdown is parsed"


def test_empty_topic_gets_a_note(small_bank_dir: Path) -> None:
    bank = load_bank(small_bank_dir)
    empty = next(t for t in bank.topics if not bank.pool("practice", t.id))
    book = small_book(small_bank_dir.parent, f"```{{scenarios}} {empty.id}\n```")
    build_book(book, strict=True)
    soup = BeautifulSoup(
        (book / "_build" / "html" / "index.html").read_text("utf-8"), "html.parser"
    )
    assert not soup.select(".cc-scenario")
    assert "no practice scenarios" in soup.select_one(".cc-empty").get_text()


def test_editing_the_bank_rebuilds_the_page(small_bank_dir: Path) -> None:
    """An incremental build picks up edits to a scenario file and a newly added scenario file."""
    book = small_book(small_bank_dir.parent, "```{scenarios} trust\n```")
    page = book / "_build" / "html" / "index.html"
    build_book(book)
    first = load_bank(small_bank_dir).pool("practice", "trust")[0]
    bank_file = small_bank_dir / "fixture.yml"
    edited = first.situation.split()[0] + " EDITED-IN-THE-BANK"
    text = bank_file.read_text(encoding="utf-8")
    bank_file.write_text(text.replace(first.situation.split()[0], edited, 1), encoding="utf-8")
    build_book(book)
    assert "EDITED-IN-THE-BANK" in page.read_text(encoding="utf-8")

    extra = text.split("\n- id: ")[1]
    new_id = "trust-added-later"
    (small_bank_dir / "zz-added.yml").write_text(
        "- id: " + extra.replace(extra.split("\n")[0], new_id, 1), encoding="utf-8"
    )
    assert load_bank(small_bank_dir).scenario(new_id).pool == "practice"
    build_book(book)
    assert f'data-scenario-id="{new_id}"' in page.read_text(encoding="utf-8")


def test_a_scenario_rendered_twice_fails_a_strict_build(
    small_bank_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    chosen = load_bank(small_bank_dir).pool("practice", "trust")[0]
    book = small_book(
        small_bank_dir.parent, f"```{{scenarios}} trust\n```\n\n```{{scenario}} {chosen.id}\n```"
    )
    with pytest.raises(ClientcraftError):
        build_book(book, strict=True)
    assert f"scenario '{chosen.id}' is already rendered on index" in capsys.readouterr().err


def test_clientcraft_build_also_writes_the_practice_notebooks(built_book: Path, bank: Bank) -> None:
    notebooks = sorted((built_book.parents[2] / "notebooks").glob("*.ipynb"))
    assert len(notebooks) == len(bank.topics) + 1, "one per topic plus the start page"


def test_the_book_builds_without_network(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Any attempt of the build to open a network connection fails the build (and this test)."""
    attempts: list[object] = []

    def refuse(*args: object) -> None:
        attempts.append(args)
        raise OSError(f"network access during the book build: {args}")

    for owner, name in (
        (socket.socket, "connect"),
        (socket.socket, "connect_ex"),
        (socket, "getaddrinfo"),
        (socket, "create_connection"),
    ):
        monkeypatch.setattr(owner, name, refuse)
    shutil.copytree(REPO / "book", tmp_path / "book", ignore=shutil.ignore_patterns("_build"))
    shutil.copytree(REPO / "exercises", tmp_path / "exercises")
    output = build_book(tmp_path / "book")
    assert (output / "modules" / "trust.html").is_file()
    assert attempts == []

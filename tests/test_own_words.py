"""The course teaches in its own words and cites its sources as learners can use them.

- No book page or bank text quotes more than a short phrase (8 words) of anything: longer passages
  must be taught in the course's own words, not quoted or translated.
- Learner-facing text (built book pages, practice widgets, practice and assessment notebooks) names
  an article by its title, language and section, never by the seed's file name; only "About the
  sources" lists the files.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from clientcraft.bank import Bank
from clientcraft.render.nbgrader import assessment_notebook, course_assignments
from clientcraft.widgets import source_html

MAX_QUOTED_WORDS = 8
# Opening and closing marks of a quotation: "...", “...”, „...“ (German), «...» (Russian/French).
QUOTE = re.compile(r'"([^"\n]+)"|“([^”\n]+)”|„([^“”\n]+)[“”]|«([^»\n]+)»')
FENCED_CODE = re.compile(r"^(```|~~~).*?^\1", re.S | re.M)
INLINE_CODE = re.compile(r"`[^`\n]+`")
MYST_OPTION = re.compile(r"^:[a-z-]+:.*$", re.M)
SEED_FILE = re.compile(r"\d{3}_[0-9a-f]{16}(\.txt)?")


def long_quotes(text: str) -> list[str]:
    """Quoted passages of more than :data:`MAX_QUOTED_WORDS` words in prose (code excluded)."""
    prose = MYST_OPTION.sub("", INLINE_CODE.sub("", FENCED_CODE.sub("", text)))
    found = []
    for match in QUOTE.finditer(prose):
        quoted = next(group for group in match.groups() if group is not None)
        if len(re.findall(r"\w+(?:[-'’]\w+)*", quoted)) > MAX_QUOTED_WORDS:
            found.append(quoted)
    return found


def bank_texts(bank: Bank) -> list[tuple[str, str]]:
    """Every piece of prose in the bank, labelled with where it comes from."""
    texts = [(f"topic {t.id}", t.summary) for t in bank.topics]
    texts += [(f"claim {c.id}", c.text) for c in bank.claims]
    for s in bank.scenarios:
        texts += [(f"{s.id} situation", s.situation), (f"{s.id} question", s.question)]
        texts += [(f"{s.id} takeaway", s.takeaway)]
        for o in s.options:
            texts += [(f"{s.id} {o.key} text", o.text), (f"{s.id} {o.key} feedback", o.feedback)]
            texts += [(f"{s.id} {o.key} consequence", o.consequence or "")]
    return texts


def test_the_quote_check_finds_long_quotes_and_ignores_code() -> None:
    assert long_quotes('As the article puts it, "one two three four five six seven eight nine".')
    assert long_quotes("«один два три четыре пять шесть семь восемь девять»")
    assert long_quotes("„eins zwei drei vier fünf sechs sieben acht neun“")
    assert not long_quotes('The German article calls it "the cable of a lift".')
    assert not long_quotes('```python\nq01 = "one two three four five six seven eight nine"\n```')
    assert not long_quotes('Write `q01 = "one two three four five six seven eight nine"` there.')


def test_no_book_page_quotes_more_than_a_short_phrase(repo_root: Path) -> None:
    offenders = {
        str(page.relative_to(repo_root)): quotes
        for page in sorted((repo_root / "book").rglob("*.md"))
        if "_build" not in page.parts and (quotes := long_quotes(page.read_text(encoding="utf-8")))
    }
    assert offenders == {}, "quote at most 8 words; teach the rest in the course's own words"


def test_no_bank_text_quotes_more_than_a_short_phrase(bank: Bank) -> None:
    offenders = {label: q for label, text in bank_texts(bank) if (q := long_quotes(text))}
    assert offenders == {}, "quote at most 8 words; teach the rest in the course's own words"


def test_widgets_and_assessments_cite_articles_by_title_not_file(bank: Bank) -> None:
    for scenario in bank.pool("practice"):
        shown = source_html(scenario, bank)
        assert not SEED_FILE.search(shown), shown
        assert bank.article(scenario.source.article).english_title in shown
    for name, scenarios in course_assignments(bank).items():
        text = json.dumps(assessment_notebook(bank, name, scenarios))
        assert not SEED_FILE.search(text), name


def test_practice_notebooks_never_show_a_seed_file_name(repo_root: Path) -> None:
    for path in sorted((repo_root / "notebooks").glob("*.ipynb")):
        assert not SEED_FILE.search(path.read_text(encoding="utf-8")), path.name


@pytest.mark.slow
def test_built_pages_name_seed_files_only_in_about_the_sources(built_book: Path) -> None:
    shown = {
        str(page.relative_to(built_book))
        for page in built_book.rglob("*.html")
        if SEED_FILE.search(page.read_text(encoding="utf-8"))
    }
    assert shown <= {"sources.html"}, shown

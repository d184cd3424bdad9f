"""Small books for tests that need a real Sphinx build of a page or two."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.support.paths import REPO


def small_book(root: Path, body: str) -> Path:
    """A one-page book next to the bank at ``root/exercises``, using the course's own config."""
    book = root / "book"
    book.mkdir()
    shutil.copy(REPO / "book" / "_config.yml", book / "_config.yml")
    (book / "_toc.yml").write_text("format: jb-article\nroot: index\n", encoding="utf-8")
    (book / "index.md").write_text(f"# Practice\n\n{body}\n", encoding="utf-8")
    return book

"""Build the course book (``book/``) into ``book/_build/html`` with jupyter-book's Sphinx build.

Exercises are rendered from the scenario bank by the ``clientcraft.sphinx`` extension the book's
``_config.yml`` enables. In strict mode (``--strict``, or when the ``CI`` environment variable is
set) every page is reread and any Sphinx warning fails the build, after all of them have
been reported.
"""

from __future__ import annotations

import os
from pathlib import Path

from jupyter_book.sphinx import build_sphinx

from clientcraft.errors import ClientcraftError
from clientcraft.sphinx.errors import BankBuildError


def strict_by_default() -> bool:
    """True on CI (``CI`` set to anything but empty, ``0`` or ``false``)."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false")


def build_book(
    book_dir: Path | str, strict: bool = False, bank_dir: Path | str | None = None
) -> Path:
    """Build the HTML book; return the output folder. ``bank_dir`` overrides ``clientcraft_bank``.

    Raises :class:`ClientcraftError` with the bank's ``path:line`` problems when the bank is
    broken, and with a pointer to Sphinx's messages for any other failure.
    """
    book_dir = Path(book_dir).resolve()
    config, toc = book_dir / "_config.yml", book_dir / "_toc.yml"
    missing = [p for p in (config, toc) if not p.is_file()]
    if missing:
        raise ClientcraftError(
            [
                f"{p}:1: missing (a book folder needs _config.yml and _toc.yml; "
                "give the right folder with --book)"
                for p in missing
            ]
        )
    output = book_dir / "_build" / "html"
    overrides: dict[str, object] = {
        "external_toc_path": toc.as_posix(),
        "latex_individualpages": False,
    }
    if bank_dir is not None:
        overrides["clientcraft_bank"] = str(Path(bank_dir).resolve())
    # A strict build rereads every page: Sphinx reports warnings only for pages it reads, so an
    # incremental build would pass over warnings of unchanged pages.
    result = build_sphinx(
        book_dir,
        output,
        use_external_toc=True,
        noconfig=True,
        path_config=str(config),
        confoverrides=overrides,
        builder="html",
        warningiserror=strict,
        keep_going=strict,
        freshenv=strict,
    )
    if isinstance(result, BankBuildError):
        raise ClientcraftError(result.problems)
    if isinstance(result, BaseException):
        raise ClientcraftError(
            f"{book_dir}: the book build failed: {result} (see Sphinx's messages above)"
        )
    if result:
        raise ClientcraftError(
            f"{book_dir}: the book build reported warnings or errors, which "
            "fail a strict build (fix the messages above)"
        )
    return output

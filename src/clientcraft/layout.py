"""Where the course's parts sit relative to each other in a course folder."""

from __future__ import annotations

# The built book, as seen from the practice notebooks in ``notebooks/``.
DEFAULT_BOOK_URL = "../book/_build/html"

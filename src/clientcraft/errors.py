"""The one exception type the CLI turns into a clear message and exit status 1 (never a traceback)."""

from __future__ import annotations


class ClientcraftError(Exception):
    """A problem a person can act on; ``problems`` holds one line each (``path:line: what (fix)``)."""

    def __init__(self, problems: list[str] | str):
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__("\n".join(self.problems))

"""The error the book extension stops a build with, for the code that runs the build."""

from __future__ import annotations

from sphinx.errors import ExtensionError


class BankBuildError(ExtensionError):
    """The scenario bank cannot be loaded; ``problems`` are the bank's ``path:line`` lines."""

    category = "Scenario bank error"

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__(
            f"{len(problems)} problem(s) in the scenario bank (fix them and build "
            "again):\n" + "\n".join(problems)
        )

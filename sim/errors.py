"""User-facing errors: a list of problems, each naming a field path, what was given and what is
allowed. The command line and the app print these; neither shows a traceback for a user's mistake.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["FieldProblem", "Problem", "ScenarioError"]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a user's input."""

    path: str
    given: str
    allowed: str

    def __str__(self) -> str:
        where = self.path or "(scenario)"
        given = f"given {self.given}; " if self.given else ""
        return f"{where}: {given}{self.allowed}"


class ScenarioError(Exception):
    """A scenario (file, upload or override) that cannot be used, with every problem found."""

    def __init__(self, problems: list[Problem], source: str = "") -> None:
        self.problems = problems
        self.source = source
        super().__init__("\n".join(str(p) for p in problems))

    def lines(self) -> list[str]:
        """One line per problem, prefixed by the file it came from where known."""
        prefix = f"{self.source}: " if self.source else ""
        return [f"{prefix}{p}" for p in self.problems]


class FieldProblem(ValueError):
    """Raised by a validator that checks several fields: names the deepest field at fault.

    `field` is a dotted path relative to the model being validated (e.g. `headcount_plan.2.date`
    inside a staff pool); the scenario loader prefixes the model's own location, so the user reads
    `staff_pools.0.headcount_plan.2.date`, not the whole pool.
    """

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message

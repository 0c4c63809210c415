"""User-facing errors: a list of problems, each naming a field path, what was given and what is
allowed. The command line and the app print these; neither shows a traceback for a user's mistake.
"""

from __future__ import annotations

import errno
import re
from dataclasses import dataclass

__all__ = ["FieldProblem", "Problem", "ScenarioError", "storage_fault"]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a user's input."""

    path: str
    given: str
    allowed: str

    @property
    def what(self) -> str:
        """What was given and what is allowed, without where: "given 1.4; at most 1"."""
        return (f"given {self.given}; " if self.given else "") + self.allowed

    def __str__(self) -> str:
        return f"{self.path or '(scenario)'}: {self.what}"


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


# What a fault of the disk or folder is, in a planner's or analyst's words, and what to do first.
_STORAGE_FAULTS: dict[int, tuple[str, str]] = {
    errno.ENOSPC: ("No space left on the disk", "free some space or choose another folder"),
    errno.EDQUOT: ("Disk quota exceeded", "free some space or choose another folder"),
    errno.EROFS: ("The folder is on a read-only disk", "choose a folder you can write to"),
    errno.EACCES: ("Permission denied", "choose a folder you can write to, or ask for access"),
    errno.EPERM: ("Permission denied", "choose a folder you can write to, or ask for access"),
    errno.ENOENT: ("A folder is missing", "check the folder exists (it may have been removed)"),
    errno.ENOTDIR: ("A folder is missing", "check the path names folders, not files"),
}
_ERRNO_IN_TEXT = re.compile(r"errno (\d+)", re.IGNORECASE)


def storage_fault(error: BaseException, then: str, folder: object = None) -> str | None:
    """One line for a fault of the disk or a folder (no space, permission denied, read-only,
    missing folder), saying which, where (`folder`, the one the user chose, else the file named
    by the error), and what to do, ending with `then` (how to carry on); None if `error` is not
    one of these.

    Arrow's Parquet writer raises OSError without an errno, naming it only in the text; it is read
    from there.
    """
    if not isinstance(error, OSError):
        return None
    code = error.errno
    if code is None:
        found = _ERRNO_IN_TEXT.search(str(error))
        code = int(found.group(1)) if found else None
    if code not in _STORAGE_FAULTS:
        return None
    what, todo = _STORAGE_FAULTS[code]
    place = folder or error.filename
    where = f" ({place})" if place else ""
    return f"{what}{where}: {todo}, then {then}."

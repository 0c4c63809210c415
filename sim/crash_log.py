"""Unexpected faults, reported the same way by the command line and the app.

The user reads one line: what kind of fault, a short reference, and the file holding the details.
The traceback goes to a log file, never to the user: in the run directory when there is one,
otherwise in the log folder (`CCS_LOG_DIR`, default `runs/logs/`). If even that cannot be
written (a full disk, a read-only folder) the line says so and the log goes to the system's
temporary folder.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
import tempfile
import traceback
from dataclasses import dataclass
from pathlib import Path

__all__ = ["LOG_DIR_ENV", "Crash", "log_dir", "record_crash"]

LOG_DIR_ENV = "CCS_LOG_DIR"
"""Environment variable naming the folder for fault logs (default runs/logs)."""


def log_dir() -> Path:
    """The folder fault logs go to when there is no run directory."""
    return Path(os.environ.get(LOG_DIR_ENV) or Path("runs") / "logs")


@dataclass(frozen=True)
class Crash:
    """A fault written to a log file: what to tell the user."""

    kind: str  # the exception's class name
    reference: str  # 8 hex digits, also inside the log file and its name
    path: Path | None  # the log file, if one could be written

    def line(self) -> str:
        """One line for someone at a terminal, who can open the file."""
        where = f"details in {self.path}" if self.path else "the details could not be written"
        return (
            f"unexpected fault ({self.kind}), not a problem with your input; reference "
            f"{self.reference}, {where}. Please report it with that file."
        )

    def line_for_browser(self) -> str:
        """One line for someone in a browser, who cannot see the server's files."""
        return (
            f"Something went wrong in the app ({self.kind}); it is not a problem with your "
            f"scenario. Please report reference {self.reference} to the team running the app: "
            "the details are in its log."
        )


def record_crash(error: BaseException, context: str, folder: Path | None = None) -> Crash:
    """Write `error`'s traceback to a log file in `folder` (else the log folder)."""
    reference = secrets.token_hex(4)
    text = (
        f"reference {reference}\n{dt.datetime.now(dt.UTC).isoformat()}\n{context[:2000]}\n\n"
        + "".join(traceback.format_exception(error))
    )
    written = None
    for candidate in (folder, log_dir(), Path(tempfile.gettempdir())):
        if candidate is None:
            continue
        try:
            candidate.mkdir(parents=True, exist_ok=True)
            path = candidate / f"error-{reference}.log"
            path.write_text(text, encoding="utf-8")
            written = path
            break
        except OSError:
            continue
    return Crash(type(error).__name__, reference, written)

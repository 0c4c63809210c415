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
from pathlib import Path

__all__ = ["LOG_DIR_ENV", "log_dir", "record_crash"]

LOG_DIR_ENV = "CCS_LOG_DIR"
"""Environment variable naming the folder for fault logs (default runs/logs)."""


def log_dir() -> Path:
    """The folder fault logs go to when there is no run directory."""
    return Path(os.environ.get(LOG_DIR_ENV) or Path("runs") / "logs")


def record_crash(error: BaseException, context: str, folder: Path | None = None) -> str:
    """Write `error`'s traceback to a log file; return the one line to show the user."""
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
    kind = type(error).__name__
    where = f"details in {written}" if written else "the details could not be written anywhere"
    return (
        f"unexpected fault ({kind}), not a problem with your input; reference {reference}, "
        f"{where}. Please report it with that file."
    )

"""Progress of a batch: a bar with rate and time left on a terminal, plain lines otherwise."""

from __future__ import annotations

import sys
import time
from typing import TextIO

__all__ = ["Progress"]


class Progress:
    """Reports replications done out of a total."""

    def __init__(self, total: int, label: str = "replications", stream: TextIO | None = None):
        self.total, self.label = total, label
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self.started = time.monotonic()
        self.done = 0
        self._last_line = -1
        self._step = max(1, total // 20)

    def update(self, done: int, failed: int = 0) -> None:
        """Show that `done` replications have finished (`failed` of them with an error)."""
        self.done = done
        elapsed = time.monotonic() - self.started
        rate = done / elapsed if elapsed > 0 else 0.0
        left = (self.total - done) / rate if rate > 0 else float("nan")
        fail = f", {failed} failed" if failed else ""
        text = f"{done}/{self.total} {self.label}{fail}  {rate:.2f}/s  {_clock(left)} left"
        if self.tty:
            width = 30
            filled = int(width * done / self.total) if self.total else width
            self.stream.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {text}   ")
            if done >= self.total:
                self.stream.write("\n")
        elif done >= self.total or done // self._step != self._last_line:
            self._last_line = done // self._step
            self.stream.write(text + "\n")
        self.stream.flush()

    def close(self) -> None:
        """End the bar's line if it was left open."""
        if self.tty and self.done < self.total:
            self.stream.write("\n")
            self.stream.flush()


def _clock(seconds: float) -> str:
    if seconds != seconds:  # NaN
        return "--:--"
    minutes, secs = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"

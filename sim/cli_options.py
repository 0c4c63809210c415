"""What the verbs of `ccs-sim` share: exit statuses, the option types that refuse a bad value
with what was given and what is allowed, and the options several verbs take (--set, the study
options)."""

from __future__ import annotations

import argparse
import math
from pathlib import Path

from sim.runs.limits import MAX_REPS

__all__ = [
    "DEFAULT_CACHE",
    "EXIT_FAILED_REPS",
    "EXIT_FAULT",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_READER_GONE",
    "EXIT_STORAGE",
    "EXIT_USAGE",
    "add_overrides",
    "add_study_options",
    "finite_float",
    "fraction",
    "non_negative_int",
    "positive_int",
    "replications",
]

# = sim.studies.study.DEFAULT_CACHE, without importing pandas
DEFAULT_CACHE = Path("runs") / "cache"

EXIT_OK, EXIT_FAILED_REPS, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
EXIT_FAULT = 3  # the program's fault, not the user's: reported with a log reference
EXIT_STORAGE = 74  # sysexits' EX_IOERR: the disk or a folder, not the input or the model
EXIT_READER_GONE = 141  # 128 + SIGPIPE, what a shell reports for a command whose reader left


def add_overrides(parser: argparse.ArgumentParser) -> None:
    """--set KEY=VALUE, repeatable: a field of the scenario overridden for this command."""
    parser.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a field, e.g. --set recruitment.offer_acceptance=0.8 (repeatable)",
    )


def add_study_options(parser: argparse.ArgumentParser) -> None:
    """The options of every study verb: replications, seed, folders, executor, overrides."""
    parser.add_argument(
        "--reps",
        type=replications,
        default=20,
        help=f"replications per scenario (default 20, at most {MAX_REPS:,})",
    )
    parser.add_argument("--seed", type=non_negative_int, default=2014, help="seed, shared by all")
    parser.add_argument("--out", type=Path, help="study folder (default runs/VERB-NAME-TIMESTAMP)")
    parser.add_argument("--workers", type=positive_int, help="local processes (default: all)")
    parser.add_argument("--scheduler", help="Dask scheduler tcp://HOST:PORT, or 'local'")
    parser.add_argument(
        "--cache",
        type=Path,
        default=DEFAULT_CACHE,
        help=f"folder of cached run directories (default {DEFAULT_CACHE})",
    )
    add_overrides(parser)


def replications(text: str) -> int:
    """--reps: a whole number from 1 to MAX_REPS."""
    value = positive_int(text)
    if value > MAX_REPS:
        raise argparse.ArgumentTypeError(
            f"given {_typed(text)}; allowed: at most {MAX_REPS:,} replications (MAX_REPS)"
        )
    return value


def _typed(text: str) -> str:
    """What the user typed, cut short: a pasted megabyte is not echoed back."""
    return text if len(text) <= 24 else f"{text[:20]}... ({len(text)} characters)"


def positive_int(text: str) -> int:
    value = non_negative_int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(
            f"given {_typed(text)}; allowed: a whole number of 1 or more"
        )
    return value


def non_negative_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"given {_typed(text)!r}; allowed: a whole number"
        ) from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"given {_typed(text)}; allowed: 0 or more")
    return value


def finite_float(text: str) -> float:
    value = _number(text)
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"given {_typed(text)}; allowed: a finite number")
    return value


def fraction(text: str) -> float:
    """Strictly between 0 and 1 (a share, a confidence, a precision)."""
    value = _number(text)
    if not 0 < value < 1:  # NaN fails this too
        raise argparse.ArgumentTypeError(
            f"given {_typed(text)}; allowed: between 0 and 1, e.g. 0.05"
        )
    return value


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"given {_typed(text)!r}; allowed: a number") from None

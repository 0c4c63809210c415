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
    "DEFAULT_REPS",
    "DEFAULT_SEED",
    "EXIT_FAILED_REPS",
    "EXIT_FAULT",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_READER_GONE",
    "EXIT_STORAGE",
    "EXIT_USAGE",
    "add_batch_options",
    "add_executor_options",
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

DEFAULT_REPS, DEFAULT_SEED = 20, 2014

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


def add_batch_options(
    parser: argparse.ArgumentParser, reps_what: str, seed_help: str, out_help: str
) -> None:
    """--reps, --seed and --out: how many replications, their seed, and where they go."""
    parser.add_argument(
        "--reps",
        type=replications,
        default=DEFAULT_REPS,
        help=f"{reps_what} (default {DEFAULT_REPS}, at most {MAX_REPS:,})",
    )
    parser.add_argument("--seed", type=non_negative_int, default=DEFAULT_SEED, help=seed_help)
    parser.add_argument("--out", type=Path, help=out_help)


def add_executor_options(parser: argparse.ArgumentParser, workers_default: str = "all") -> None:
    """--workers and --scheduler: where the replications run (`sim.runs.executors`)."""
    parser.add_argument(
        "--workers", type=positive_int, help=f"local processes (default: {workers_default})"
    )
    parser.add_argument("--scheduler", help="Dask scheduler tcp://HOST:PORT, or 'local'")


def add_study_options(parser: argparse.ArgumentParser) -> None:
    """The options of every study verb: replications, seed, folders, executor, overrides."""
    add_batch_options(
        parser,
        "replications per scenario",
        "seed, shared by all",
        "study folder (default runs/VERB-NAME-TIMESTAMP)",
    )
    add_executor_options(parser)
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

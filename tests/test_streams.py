"""Random streams: named once, in an order that never changes, and typed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import get_args

import numpy as np
import pytest

from sim.model.streams import STREAM_NAMES, RecruitmentStream, Streams

# The streams of the first release, in the order that seeds them: later streams are appended.
FIRST_STREAMS = (
    "demand_multiplier",
    "arrivals",
    "effort",
    "patience",
    "contract_value",
    "attrition",
    "leaver_notice",
    "approval",
    "advert",
    "sift_interview",
    "offer",
    "vetting",
    "joiner_notice",
    "contractor_lead_time",
)


def test_streams_are_only_ever_appended() -> None:
    assert STREAM_NAMES[: len(FIRST_STREAMS)] == FIRST_STREAMS
    assert len(set(STREAM_NAMES)) == len(STREAM_NAMES)


def test_each_stream_is_its_own_generator_fixed_by_its_position() -> None:
    a, b = (
        Streams(np.random.SeedSequence(7, spawn_key=(3,))),
        Streams(np.random.SeedSequence(7, spawn_key=(3,))),
    )
    draws = {name: getattr(a, name).random() for name in STREAM_NAMES}
    assert draws == {name: getattr(b, name).random() for name in STREAM_NAMES}
    assert len(set(draws.values())) == len(STREAM_NAMES)


def test_recruitment_draws_only_from_declared_streams() -> None:
    assert set(get_args(RecruitmentStream)) <= set(STREAM_NAMES)


@pytest.mark.slow
def test_a_misspelt_stream_is_a_type_error(tmp_path: Path) -> None:
    snippet = tmp_path / "misspelt.py"
    snippet.write_text(
        "import numpy as np\n"
        "from sim.model.streams import Streams\n"
        "Streams(np.random.SeedSequence(1)).arivals.random()\n"
    )
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--no-incremental", str(snippet)],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    assert done.returncode == 1 and '"Streams" has no attribute "arivals"' in done.stdout

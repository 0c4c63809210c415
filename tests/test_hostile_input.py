"""Hostile and malformed scenario files: refused in one line, never a traceback, within bounds.

Each file of tests/data/hostile/ (and a few made here: too big, a folder, a symbolic link loop, an
unreadable file) goes through `ccs-sim validate`, `ccs-sim run` and the app's upload path. Each
must exit 2 (or raise ScenarioError in the app) with a message naming the problem. Memory and
time are bounded by running the worst cases in a child process under operating-system limits
(address space, CPU seconds): a case that blew up would be killed and fail, without a timing
assertion.
"""

from __future__ import annotations

import contextlib
import io
import os
import resource
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from app_pages.edits import parse_upload
from sim.cli import main
from sim.errors import ScenarioError
from sim.scenario.safe_yaml import MAX_DOCUMENT_BYTES
from sim.scenario.uploads import parse_upload_isolated

DATA = Path(__file__).parent / "data"
HOSTILE = DATA / "hostile"
TINY = DATA / "tiny.yaml"

# file -> what the one-line message must say (command line; the app says the same unless listed
# in UPLOAD_SAYS).
CLI_SAYS = {
    "alias_bomb.yaml": "(MAX_EXPANDED_NODES)",
    "merge_bomb.yaml": "(MAX_EXPANDED_NODES)",
    "deep_nesting.yaml": "given lists or mappings nested more than 40 deep",
    "deep_mappings.yaml": "(MAX_NESTING_DEPTH)",
    "repeated_key.yaml": "line 54: given key 'run' again (first on line 3)",
    "nan_in_empirical.yaml": "demand.request_types.0.effort_person_days.values.1: given nan; "
    "a finite number",
    "inf_arrival_rate.yaml": "demand.request_types.0.arrivals_per_month: given inf; a finite",
    "inf_fixed_effort.yaml": "demand.request_types.0.effort_person_days: given inf; a finite",
    "negative_inf_weight.yaml": "demand.departments.1.demand_weight: given -inf",
    "huge_headcount.yaml": "staff_pools.0.initial_headcount: given a whole number of 300 digits",
    "huge_int_digits.yaml": "line 27: given '9999",
    "huge_workload.yaml": "(MAX_EXPECTED_REQUESTS)",
    "huge_horizon.yaml": "run.horizon_months: given 1000000000; less than or equal to 600",
    "plan_out_of_order.yaml": "staff_pools.0.headcount_plan.2.date: given 2015-01-01; not after",
    "freeze_backwards.yaml": "recruitment.hiring_freezes.0.end: given 2014-06-01; must be after",
    "vetting_stress_backwards.yaml": "recruitment.vetting_stress_periods.1.end: given 2015-01-01; "
    "must be after start (2015-01-01)",
    "control_characters.yaml": "line 2: given the control character U+0007",
    "nul_byte.yaml": "given the control character U+0000",
    "bom_then_error.yaml": "demand.request_types.0.arrivals_per_month: given -20",
    "crlf_then_error.yaml": "demand.request_types.0.arrivals_per_month: given -20",
    "tab_indentation.yaml": "line 5, column 1: malformed YAML: found character",
    "python_tag.yaml": "given the YAML tag !!python/object/apply:os.system; plain values only",
    "custom_tag.yaml": "given the YAML tag !include",
    "binary_tag.yaml": "given the YAML tag !!binary",
    "set_tag.yaml": "given the YAML tag !!set",
    "extends_anchor_child.yaml": "line 3, column 23: malformed YAML: found undefined alias",
    "extends_missing.yaml": "extends: given no_such_parent.yaml; a scenario file beside",
    "extends_escape.yaml": "extends: given ../../../../etc/passwd;",
    "utf16.yaml": "given a binary or non-UTF-8 file",
    "latin1.yaml": "byte 102: given a binary or non-UTF-8 file",
    "binary_garbage.yaml": "given a binary or non-UTF-8 file",
    "empty.yaml": "demand: required but missing",
    "top_level_list.yaml": "a mapping of keys to values",
    "top_level_scalar.yaml": "(scenario): given 42; a mapping of keys to values",
    "two_documents.yaml": "malformed YAML: but found another document",
    "impossible_date.yaml": "line 3: given '2014-02-30'; a readable value (day is out of range",
    "wrong_types.yaml": "staff_pools.0.initial_headcount: given 'four'",
    "lognormal_overflow.yaml": "contract_value_gbp.sd: given 1000000; at most 1,000 times the mean",
    "percentile_overflow.yaml": "effort_person_days.value: given 100000; at percentile 0.5000001",
}
UPLOAD_SAYS = {
    "extends_missing.yaml": "extends: given 'no_such_parent.yaml'; one of the scenarios in the app",
    "extends_escape.yaml": "extends: given '../../../../etc/passwd'; a file name in scenarios/",
}
VALID_HELPERS = {"extends_anchor_parent.yaml"}  # the parent extends_anchor_child.yaml extends


def test_every_hostile_file_has_an_expected_message() -> None:
    files = {p.name for p in HOSTILE.iterdir()}
    assert files - VALID_HELPERS == set(CLI_SAYS)


def cli(argv: list[str]) -> tuple[int, str]:
    """`ccs-sim` in this process: exit status and everything it wrote."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            status = main(argv)
        except SystemExit as stop:  # argparse refuses an option this way
            status = int(stop.code or 0)
    return status, out.getvalue() + err.getvalue()


def assert_refused(status: int, text: str, says: str, path: Path | str) -> None:
    assert status == 2, text
    assert "Traceback" not in text and "Error:" not in text
    lines = text.strip().splitlines()
    assert all(line.startswith(f"{path}: ") for line in lines), lines
    assert any(says in line for line in lines), (says, lines)


@pytest.mark.parametrize("name", sorted(CLI_SAYS))
def test_validate_and_run_refuse_each_hostile_file(name: str, tmp_path: Path) -> None:
    path = HOSTILE / name
    assert_refused(*cli(["validate", str(path)]), CLI_SAYS[name], path)
    out = tmp_path / "run"
    assert_refused(*cli(["run", str(path), "--reps", "2", "--out", str(out)]), CLI_SAYS[name], path)
    assert not out.exists()  # refused before anything was run or written


@pytest.mark.parametrize("name", sorted(CLI_SAYS))
def test_the_apps_upload_refuses_each_hostile_file(name: str) -> None:
    with pytest.raises(ScenarioError) as refused:
        parse_upload((HOSTILE / name).read_bytes(), name, HOSTILE)
    lines = refused.value.lines()
    says = UPLOAD_SAYS.get(name, CLI_SAYS[name])
    assert all(line.startswith(f"{name}: ") for line in lines)
    assert any(says in line for line in lines), (says, lines)


# --- files made here ----------------------------------------------------------------------------


def _oversized(folder: Path) -> Path:
    path = folder / "oversized.yaml"
    path.write_text("# padding\n" * (MAX_DOCUMENT_BYTES // 10 + 10))
    return path


def _long_string(folder: Path) -> Path:
    path = folder / "long_string.yaml"
    path.write_text(TINY.read_text().replace("name: tiny", "name: " + "x" * 200_000))
    return path


def _directory(folder: Path) -> Path:
    path = folder / "a_folder.yaml"
    path.mkdir()
    return path


def _symlink_loop(folder: Path) -> Path:
    (folder / "loop_a.yaml").symlink_to(folder / "loop_b.yaml")
    (folder / "loop_b.yaml").symlink_to(folder / "loop_a.yaml")
    return folder / "loop_a.yaml"


def _named_pipe(folder: Path) -> Path:
    path = folder / "pipe.yaml"
    os.mkfifo(path)  # reading it would block for ever
    return path


MADE_HERE: dict[str, tuple[Callable[[Path], Path], str]] = {
    "oversized": (_oversized, "at most 256 KB (MAX_DOCUMENT_BYTES)"),
    "long_string": (_long_string, "name: given 'xxxx"),
    "directory": (_directory, "a scenario file, not a folder or device"),
    "symlink_loop": (_symlink_loop, "a readable file (Too many levels of symbolic links)"),
    "named_pipe": (_named_pipe, "a scenario file, not a folder or device"),
}


@pytest.mark.parametrize("case", sorted(MADE_HERE))
def test_files_made_here_are_refused(case: str, tmp_path: Path) -> None:
    make, says = MADE_HERE[case]
    path = make(tmp_path)
    status, text = cli(["validate", str(path)])
    assert status == 2 and "Traceback" not in text
    assert says in text, text
    if path.is_file() and not path.is_fifo():
        with pytest.raises(ScenarioError, match=says.replace("(", r"\(").replace(")", r"\)")):
            parse_upload(path.read_bytes(), path.name, HOSTILE)


def test_an_unreadable_file_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The tests run as root, for whom chmod 000 does not stop reading: the refusal of the
    # operating system is simulated instead (see the next test for the real thing).
    path = tmp_path / "secret.yaml"
    path.write_text(TINY.read_text())
    real_open = Path.open

    def refusing_open(self: Path, *args: Any, **kwargs: Any) -> Any:
        if self == path:
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", refusing_open)
    status, text = cli(["validate", str(path)])
    assert status == 2 and "Traceback" not in text
    assert f"{path}: (scenario): given {path}; a readable file (Permission denied)" in text


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their permissions")
def test_a_file_without_read_permission_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "secret.yaml"
    path.write_text(TINY.read_text())
    path.chmod(0)
    status, text = cli(["validate", str(path)])
    assert status == 2 and "a readable file (Permission denied)" in text


def test_harmless_encodings_are_read(tmp_path: Path) -> None:
    """A byte-order mark and Windows line ends are not problems: the file reads as written."""
    text = TINY.read_text()
    for name, content in {
        "bom.yaml": b"\xef\xbb\xbf" + text.encode(),
        "crlf.yaml": text.replace("\n", "\r\n").encode(),
    }.items():
        path = tmp_path / name
        path.write_bytes(content)
        status, out = cli(["validate", str(path)])
        assert status == 0, out
        assert parse_upload(content, name, HOSTILE).scenario.name == "tiny"


# --- bounded memory and time: the worst cases in a child process under hard limits -------------

MEMORY_LIMIT_BYTES = 1536 * 1024 * 1024  # Python, numpy, pandas and pydantic need ~700 MB of it
CPU_LIMIT_SECONDS = 60  # the worst case needs about 1 s of CPU on the reference machine


def _limited() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT_BYTES, MEMORY_LIMIT_BYTES))
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_LIMIT_SECONDS, CPU_LIMIT_SECONDS))


def ccs_sim_limited(*args: str) -> subprocess.CompletedProcess[str]:
    """`ccs-sim` in a child process that the operating system kills if it grows or spins."""
    return subprocess.run(
        [sys.executable, "-m", "sim", *args],
        capture_output=True,
        text=True,
        timeout=600,  # only a guard against a hang the CPU limit cannot see
        preexec_fn=_limited,
        env={**os.environ, "OPENBLAS_NUM_THREADS": "1"},
        check=False,
    )


@pytest.mark.parametrize(
    "name",
    [
        "alias_bomb.yaml",
        pytest.param("merge_bomb.yaml", marks=pytest.mark.slow),
        pytest.param("deep_nesting.yaml", marks=pytest.mark.slow),
    ],
)
def test_the_worst_files_stay_within_memory_and_cpu_limits(name: str, tmp_path: Path) -> None:
    for verb in (["validate"], ["run", "--reps", "2", "--out", str(tmp_path / "r")]):
        done = ccs_sim_limited(*verb, str(HOSTILE / name))
        assert done.returncode == 2, done.stderr[-2000:]
        assert "Traceback" not in done.stderr
        assert CLI_SAYS[name] in done.stderr


@pytest.mark.slow
def test_an_oversized_file_stays_within_limits(tmp_path: Path) -> None:
    done = ccs_sim_limited("validate", str(_oversized(tmp_path)))
    assert done.returncode == 2 and "MAX_DOCUMENT_BYTES" in done.stderr


def test_an_upload_that_outlives_its_time_or_memory_is_refused() -> None:
    content = TINY.read_bytes()
    # 100,000 values take the reader a good part of a second: far longer than 10 ms.
    many = b"[" + b",".join([b"1"] * 100_000) + b"]"
    slow = content.replace(b"arrivals_per_month: 20", b"arrivals_per_month: " + many)
    with pytest.raises(ScenarioError, match=r"took longer than 0.01 s.*\(UPLOAD_SECONDS\)"):
        parse_upload_isolated(slow, "slow.yaml", HOSTILE, seconds=0.01)
    # The reader's address space is capped before it imports anything: 64 MB is too little for
    # Python with numpy and pydantic, so it dies, and the planner is told in one line.
    with pytest.raises(ScenarioError, match=r"needed more than 64 MB.*\(UPLOAD_MEMORY_BYTES\)"):
        parse_upload_isolated(content, "big.yaml", HOSTILE, memory_bytes=64 * 1024 * 1024)
    # And the next upload is read by a fresh reader.
    assert parse_upload_isolated(content, "tiny.yaml", HOSTILE).scenario.name == "tiny"


# --- a fuzzer: valid scenarios mutated ----------------------------------------------------------

ODD_VALUES = [
    None,
    "text",
    "",
    [],
    {},
    True,
    -1,
    0,
    10**30,
    1e308,
    float("nan"),
    float("inf"),
    -float("inf"),
    "2014-13-45",
    [1, 2],
    {"kind": "empirical", "values": [float("nan")]},
]


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found += _paths(value, (*prefix, i))
    return found


def _parent(data: Any, path: tuple[Any, ...]) -> Any:
    for key in path[:-1]:
        data = data[key]
    return data


@st.composite
def mutated_scenarios(draw: st.DrawFn) -> str:
    """tiny.yaml with fields deleted, retyped and perturbed, and a line duplicated."""
    data = yaml.safe_load(TINY.read_text())
    for _ in range(draw(st.integers(1, 4))):
        path = draw(st.sampled_from(_paths(data)))
        parent, key = _parent(data, path), path[-1]
        action = draw(st.sampled_from(["delete", "retype", "perturb"]))
        if action == "delete":
            del parent[key]
        elif action == "retype":
            parent[key] = draw(st.sampled_from(ODD_VALUES))
        elif isinstance(parent[key], int | float) and not isinstance(parent[key], bool):
            factor = draw(st.sampled_from([-1, 0, 1e-9, 0.5, 2, 1e6, 1e12]))
            parent[key] = parent[key] * factor
    lines = yaml.safe_dump(data, sort_keys=False).splitlines()
    if lines and draw(st.booleans()):
        i = draw(st.integers(0, len(lines) - 1))
        lines.insert(i, lines[i])  # a key (or list item) given twice
    return "\n".join(lines) + "\n"


@given(mutated_scenarios())
def test_mutated_scenarios_are_valid_or_refused_in_one_line_each(text: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "mutant.yaml"
        path.write_text(text)
        status, out = cli(["validate", str(path)])
    assert status in (0, 2), out
    assert "Traceback" not in out
    if status == 2:
        lines = out.strip().splitlines()
        assert lines and all(line.startswith(f"{path}: ") for line in lines), lines
    # The app's upload path agrees with the command line on every mutant.
    try:
        parse_upload(text.encode(), "mutant.yaml", HOSTILE)
        uploaded = True
    except ScenarioError as refused:
        uploaded = False
        assert all(line.startswith("mutant.yaml: ") for line in refused.lines())
    assert uploaded == (status == 0), out


# --- numbers, dates and sizes on the command line ----------------------------------------------


def test_onboarding_before_the_start_is_stated_not_refused() -> None:
    status, text = cli(
        ["validate", str(TINY), "--set", "demand.departments.1.onboarding_date=2010-01-01"]
    )
    assert status == 0
    assert (
        "note: 1 department(s) already onboarded at the start (2014-04-01), their onboarding "
        "date being earlier: beta (2010-01-01)." in text
    )
    status, text = cli(["validate", str(TINY)])
    assert status == 0 and "note:" not in text


@pytest.mark.parametrize(
    ("override", "says"),
    [
        ("demand.request_types.0.arrivals_per_month=.nan", "arrivals_per_month: given nan"),
        ("recruitment.offer_days={kind: uniform, low: 1, high: .inf}", "days.high: given inf"),
        ("demand.departments.0.demand_weight=.nan", "departments.0.demand_weight: given nan"),
        ("recruitment.advert_days={kind: uniform, low: 9, high: 3}", "advert_days.high: given 3"),
    ],
)
def test_set_values_are_checked_like_file_values(override: str, says: str) -> None:
    assert_refused(*cli(["validate", str(TINY), "--set", override]), says, TINY)


def test_replications_and_study_sizes_are_bounded(tmp_path: Path) -> None:
    status, text = cli(["run", str(TINY), "--reps", "9" * 300, "--out", str(tmp_path / "r")])
    assert status == 2 and "at most 100,000 replications (MAX_REPS)" in text
    assert "9" * 30 not in text  # what was typed is cut short, not echoed whole
    sweep = ["sweep", str(TINY), "--reps", "2000", "--out", str(tmp_path / "s")]
    status, text = cli([*sweep, "--vary", "demand_scale=1:999:1"])
    assert status == 2 and "(MAX_STUDY_REPLICATIONS)" in text
    grid = ["--vary", "demand_scale=1:999:1", "--vary", "recruitment_time_scale=1:999:1"]
    status, text = cli(["sweep", str(TINY), "--reps", "2", "--out", str(tmp_path / "g"), *grid])
    assert status == 2 and "999 x 999 = 998,001 combinations" in text
    assert "(MAX_GRID_POINTS)" in text
    status, text = cli([*sweep, "--vary", "demand_scale=.nan,1"])
    assert status == 2 and "finite numbers" in text


# --- anything unexpected: one line, a reference, the traceback in a log -------------------------


def test_an_unexpected_fault_is_one_line_with_its_log(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CCS_LOG_DIR", str(tmp_path / "logs"))

    def broken(*_args: Any, **_kwargs: Any) -> Any:
        raise RuntimeError("a fault deep inside")

    monkeypatch.setattr("sim.cli.load_scenario", broken)
    status, text = cli(["validate", str(TINY)])
    assert status == 3
    (line,) = text.strip().splitlines()
    assert line.startswith("ccs-sim: unexpected fault (RuntimeError), not a problem with your")
    assert "Traceback" not in text and "a fault deep inside" not in text
    (log,) = (tmp_path / "logs").iterdir()
    assert log.name.split("-")[1].removesuffix(".log") in line  # the reference names the file
    assert "Traceback" in log.read_text() and "a fault deep inside" in log.read_text()
    # With a run directory that exists, the log goes there.
    out = tmp_path / "run"
    out.mkdir()
    status, text = cli(["run", str(TINY), "--out", str(out)])
    assert status == 3 and str(out) in text
    assert len(list(out.glob("error-*.log"))) == 1

"""Performance suite: run with `uv run python benchmarks/run_benchmarks.py [--quick]`.

Measures, side by side in one run, each figure that benchmarks/README.md records (issue 11):
1. the model reduced to M/M/c against an idiomatic SimPy M/M/c, at c=5, utilisation 0.8 and at
   c=50, utilisation 0.9 (requests per second; the model's time includes its KPIs and tables);
2. baseline cost per request against its own reduction (an M/M/c with the baseline's case slots);
3. replications per second through the bare process pool and through `ccs-sim run`, on 1 and 2
   workers, and the CPU the runner's own process spends per replication;
4. seconds from command to summary for 100 baseline replications (`ccs-sim run`, 2 workers);
5. Dask LocalCluster overhead per replication;
6. peak memory of a run of 100 and of 2,000 small replications.
(Seconds to the first and last result in the app: `benchmarks/app_sessions.py --sessions 1`.)

The machine's load average is printed beside every figure: on a shared machine compare rows taken
at similar load. Timings take the best of several repeats, and the two sides of each ratio are
taken in alternation, so that other load falls on both alike. `--code DIR` measures another
checkout's `sim` (an export of an older commit) with this same script, for before/after tables.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

_args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
_args.add_argument("--quick", action="store_true", help="fewer repeats and replications")
_args.add_argument("--code", type=Path, help="measure the `sim` package of this checkout instead")
_args.add_argument(
    "--skip",
    nargs="*",
    default=[],
    help="sections to leave out: mmc baseline runner files command dask memory",
)
ARGS = _args.parse_args()
if ARGS.code:
    sys.path.insert(0, str(ARGS.code.resolve()))
    os.environ["PYTHONPATH"] = str(ARGS.code.resolve())  # for the ccs-sim subprocesses too
CODE_ROOT = ARGS.code.resolve() if ARGS.code else ROOT  # subprocesses start here (`-c` imports
# from the working directory first)

from mmc import idiomatic_simpy_mmc, mmc_scenario  # noqa: E402

from sim import load_scenario, simulate  # noqa: E402
from sim.results.replication import replicate  # noqa: E402
from sim.results.theory import mmc_scenario as theory_mmc  # noqa: E402
from sim.runs.executors import DaskExecutor, PoolExecutor  # noqa: E402

Row = tuple[str, str, str, str]  # measure, target, measured, load average


def load() -> str:
    """The 1-minute load average now."""
    return f"{os.getloadavg()[0]:.1f}"


def _measured(measure: str, target: str, value: str) -> Row:
    """A row of the results table, with the load average as it is now."""
    return (measure, target, value, load())


def alternating_best(repeats: int, *funcs) -> list[float]:
    """Least wall time of each function over `repeats` rounds, the functions taken in turn."""
    best = [float("inf")] * len(funcs)
    for _ in range(repeats):
        for k, func in enumerate(funcs):
            start = time.perf_counter()
            func()
            best[k] = min(best[k], time.perf_counter() - start)
    return best


def requests_of(scenario, seed: int = 1) -> int:
    """Requests (every arrival event, deferred ones included) in one replication."""
    kpis = simulate(scenario, seed).kpis
    return int(kpis["arrivals"] + kpis["requests_deferred"])


def mmc_rows(servers: int, utilisation: float, months: int, repeats: int) -> list[Row]:
    scenario = mmc_scenario(servers, utilisation, horizon_months=months)
    n = requests_of(scenario)
    model, simpy = alternating_best(
        repeats,
        lambda: simulate(scenario, 1),
        lambda: idiomatic_simpy_mmc(servers, utilisation, n, seed=1),
    )
    setting = f"c={servers}, utilisation {utilisation}, {n:,} requests"
    return [
        (f"Idiomatic SimPy M/M/c ({setting})", "-", f"{n / simpy:,.0f} req/s", load()),
        (f"Model reduced to M/M/c ({setting})", "-", f"{n / model:,.0f} req/s", load()),
        (f"Model / idiomatic SimPy, c={servers}", ">= 3x", f"**{simpy / model:.2f}x**", load()),
    ]


def baseline_rows(repeats: int) -> list[Row]:
    scenario = load_scenario(ROOT / "scenarios" / "baseline.yaml")
    slots = sum(p.initial_headcount * p.cases_per_person for p in scenario.staff_pools)
    n_base = requests_of(scenario)
    # Every mechanism off: as many case slots, months and requests as the baseline.
    months = scenario.run.horizon_months
    effort = 0.9 * slots * months * 30.44 / n_base  # mean effort giving about n_base requests
    reduction = theory_mmc(slots, 0.9, months, mean_effort_days=effort, warmup_days=0)
    n_red = requests_of(reduction)
    base, red = alternating_best(
        repeats, lambda: simulate(scenario, 1), lambda: simulate(reduction, 1)
    )
    per_base, per_red = base / n_base * 1e6, red / n_red * 1e6
    return [
        (f"baseline: µs per request ({n_base:,} requests, seed 1)", "-", f"{per_base:.1f}", load()),
        (
            f"its reduction: M/M/c, c={slots}, utilisation 0.9 ({n_red:,} requests)",
            "-",
            f"{per_red:.1f}",
            load(),
        ),
        (
            "baseline per request / its reduction",
            "<= 1.5x",
            f"**{per_base / per_red:.2f}x**",
            load(),
        ),
    ]


def bare_pool_seconds(scenario, reps: int, workers: int) -> float:
    """Replications through a process pool, outcomes returned to this process and dropped."""
    pool = PoolExecutor(workers)
    try:
        start = time.perf_counter()
        for _ in pool.run(replicate, (scenario, 1), range(reps)):
            pass
        return time.perf_counter() - start
    finally:
        pool.close()


def ccs_sim_run(reps: int, workers: int) -> dict[str, float]:
    """`ccs-sim run scenarios/baseline.yaml` in a fresh process: wall seconds from command to
    summary, and CPU seconds of the runner's own process and of its workers."""
    with tempfile.TemporaryDirectory() as scratch:
        code = (
            "import resource, sys; from sim.cli import main; "
            f"rc = main(['run', 'scenarios/baseline.yaml', '--reps', '{reps}', '--workers', "
            f"'{workers}', '--out', {str(Path(scratch) / 'run')!r}]); "
            "s, c = resource.getrusage(resource.RUSAGE_SELF), "
            "resource.getrusage(resource.RUSAGE_CHILDREN); "
            "print('CPU', s.ru_utime + s.ru_stime, c.ru_utime + c.ru_stime, file=sys.stderr)"
        )
        start = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-c", code], cwd=CODE_ROOT, capture_output=True, text=True, check=True
        )
        wall = time.perf_counter() - start
    lines = done.stderr.strip().splitlines()
    own, children = (float(x) for x in lines[-1].split()[1:])
    # The progress line's rate runs from the first dispatch to the last replication written:
    # the run itself, without the command's start-up and the final tables.
    [in_run] = [float(line.split()[2][:-2]) for line in lines if line.startswith(f"{reps}/{reps}")]
    return {"wall": wall, "own_cpu": own, "workers_cpu": children, "in_run_rate": in_run}


def runner_rows(reps: int) -> list[Row]:
    scenario = load_scenario(ROOT / "scenarios" / "baseline.yaml")
    rows: list[Row] = []
    bare: dict[int, float] = {}
    run: dict[int, dict[str, float]] = {}
    for workers in (1, 2):  # each pair taken back to back
        bare[workers] = reps / bare_pool_seconds(scenario, reps, workers)
        rows.append(
            _measured(
                f"Bare process pool, {workers} worker(s): baseline reps/s ({reps} reps)",
                "-",
                f"{bare[workers]:.2f}/s",
            )
        )
        run[workers] = ccs_sim_run(reps, workers)
        rate = reps / run[workers]["wall"]
        rows.append(
            _measured(
                f"`ccs-sim run --workers {workers}`: reps/s, command to summary",
                "-",
                f"{rate:.2f}/s",
            )
        )
    rate2, rate1 = run[2]["in_run_rate"], run[1]["in_run_rate"]
    for workers in (1, 2):
        rows.append(
            _measured(
                f"`ccs-sim run --workers {workers}`: reps/s during the run (its progress line)",
                "-",
                f"{run[workers]['in_run_rate']:.2f}/s",
            )
        )
    rows.append(
        _measured(
            "`ccs-sim run` 2 workers / bare pool 2 workers (during the run)",
            ">= 0.9x",
            f"**{rate2 / bare[2]:.2f}x**",
        )
    )
    rows.append(
        _measured(
            "`ccs-sim run` 2 workers / its 1 worker (during the run)",
            ">= 1.8x",
            f"**{rate2 / rate1:.2f}x**",
        )
    )
    own = run[2]["own_cpu"] / reps * 1000
    per_rep = run[2]["workers_cpu"] / reps * 1000
    rows.append(
        _measured(
            "Runner's own process, 2 workers: CPU ms per replication (workers' ms)",
            "-",
            f"{own:.0f} ({per_rep:.0f})",
        )
    )
    return rows


def runner_work_rows(reps: int) -> list[Row]:
    """CPU the runner's process spends per replication on its files: writing each one as it
    arrives, and gathering them into the tables at the end (the model's time excluded)."""
    import dataclasses

    from sim.runs.rundir import RunDirectory

    scenario = load_scenario(ROOT / "scenarios" / "baseline.yaml")
    outcome = replicate((scenario, 1), 0)
    arrivals: list = [dataclasses.replace(outcome, rep=rep) for rep in range(reps)]
    try:  # the replication log: records arrive encoded by the workers
        from sim.runs.replog import encode_outcome

        arrivals = [encode_outcome(one) for one in arrivals]
    except ImportError:  # earlier versions: outcomes arrive as tables, one file set each
        pass
    with tempfile.TemporaryDirectory() as scratch:
        run_dir = RunDirectory(Path(scratch))
        if hasattr(run_dir, "open_for_writing"):
            run_dir.open_for_writing()
        start = time.process_time()
        for arrived in arrivals:
            run_dir.write_outcome(arrived)
        written = time.process_time() - start
        if hasattr(run_dir, "close"):
            run_dir.close()
        start = time.process_time()
        run_dir.gather(list(range(reps)))
        gathered = time.process_time() - start
    return [
        (
            f"Runner's process: CPU ms per replication writing / gathering ({reps} baseline reps)",
            "-",
            f"{written / reps * 1000:.1f} / {gathered / reps * 1000:.1f}",
            load(),
        )
    ]


def command_rows(reps: int) -> list[Row]:
    seconds = ccs_sim_run(reps, 2)["wall"]
    return [
        (
            f"{reps} baseline replications, `ccs-sim run --workers 2`, command to summary",
            "<= 10 s",
            f"**{seconds:.1f} s**",
            load(),
        )
    ]


def dask_overhead_ms(reps: int) -> float:
    """Extra worker-time per replication on a LocalCluster, over running it in-process."""
    scenario = mmc_scenario(servers=2, utilisation=0.5, horizon_months=2)
    payload = (scenario, 1)
    [serial] = alternating_best(3, lambda: [replicate(payload, rep) for rep in range(reps)])
    dask = DaskExecutor("local", workers=2)
    try:
        list(dask.run(replicate, payload, range(20)))  # warm the workers
        start = time.perf_counter()
        list(dask.run(replicate, payload, range(reps)))
        wall = time.perf_counter() - start
    finally:
        dask.close()
    return (wall * 2 - serial) / reps * 1000


def peak_memory_mb(reps: int) -> tuple[float, float]:
    """Peak resident memory of an in-process `ccs-sim run` of `reps` small replications: while
    the replications run, and in all (with the final tables gathered and written at the end)."""
    from sim import scenario_to_yaml

    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "mmc.yaml"
        path.write_text(scenario_to_yaml(mmc_scenario(2, 0.5, horizon_months=12)))
        code = (
            "import sys; from sim.cli import main; from sim.runs.rundir import RunDirectory\n"
            # VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the forking parent.
            "def hwm(): return [l.split()[1] for l in open('/proc/self/status') "
            "if l.startswith('VmHWM')][0]\n"
            "finish = RunDirectory.finish\n"
            "def noted(self, reps):\n"
            "    print('running', hwm(), file=sys.stderr)\n"
            "    return finish(self, reps)\n"
            "RunDirectory.finish = noted\n"
            f"rc = main(['run', {str(path)!r}, '--reps', '{reps}', '--workers', '1', "
            f"'--out', {str(Path(scratch) / 'run')!r}])\n"
            "print('all', hwm(), file=sys.stderr)"
        )
        done = subprocess.run(
            [sys.executable, "-c", code], cwd=CODE_ROOT, capture_output=True, text=True, check=True
        )
        lines = done.stderr.splitlines()
        marks = dict(line.split() for line in lines if line.startswith(("running ", "all ")))
        return int(marks["running"]) / 1024, int(marks["all"]) / 1024


def main() -> None:
    quick = ARGS.quick
    repeats = 2 if quick else 5
    rows: list[Row] = []
    if "mmc" not in ARGS.skip:
        rows += mmc_rows(5, 0.8, 240, repeats)
        rows += mmc_rows(50, 0.9, 24 if quick else 146, max(2, repeats - 2))
    if "baseline" not in ARGS.skip:
        rows += baseline_rows(max(2, repeats - 2))
    if "runner" not in ARGS.skip:
        rows += runner_rows(8 if quick else 20)
    if "files" not in ARGS.skip:
        rows += runner_work_rows(10 if quick else 40)
    if "command" not in ARGS.skip:
        rows += command_rows(20 if quick else 100)
    if "dask" not in ARGS.skip:
        overhead = dask_overhead_ms(100 if quick else 400)
        rows.append(
            ("Dask LocalCluster overhead per replication", "<= 15 ms", f"{overhead:.1f} ms", load())
        )
    if "memory" not in ARGS.skip:
        big = 500 if quick else 2000
        for reps, target in ((100, "-"), (big, "flat")):
            running, whole = peak_memory_mb(reps)
            rows.append(
                (
                    f"Peak memory, {reps:,} replications (in-process run): while running / "
                    "with the final tables",
                    target,
                    f"{running:.0f} / {whole:.0f} MB",
                    load(),
                )
            )

    import sim

    print(
        f"Machine: {platform.platform()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}; code: {Path(sim.__file__).parent}; "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}"
    )
    print("\n| measure | target | measured | load average (1 min) |\n|---|---|---|---|")
    for measure, target, value, load_now in rows:
        print(f"| {measure} | {target} | {value} | {load_now} |")


if __name__ == "__main__":
    main()

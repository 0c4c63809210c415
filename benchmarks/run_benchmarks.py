"""Performance suite: run with `uv run python benchmarks/run_benchmarks.py [--quick]`.

Measures, side by side in one run, each figure that benchmarks/README.md records:
1. the model reduced to M/M/c against an idiomatic SimPy M/M/c (requests per second);
2. baseline and plan_2014 requests per second, against the model's own M/M/c rate;
3. replications per second serially and on all cores (parallel efficiency);
4. Dask LocalCluster overhead per replication;
5. peak memory of a batch of 100 and of 2,000 replications.
Prints a Markdown table. Timings take the best of several repeats (least disturbed by other load).
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

from mmc import idiomatic_simpy_mmc, mmc_scenario  # noqa: E402

from sim import load_scenario, run_replication, scenario_to_yaml, simulate  # noqa: E402
from sim.results.replication import replicate  # noqa: E402
from sim.runs.batch import BatchRequest, run_batch  # noqa: E402
from sim.runs.executors import DaskExecutor, InProcessExecutor, PoolExecutor  # noqa: E402


def best_of(repeats: int, func) -> float:
    """Least wall time of `repeats` calls."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return min(times)


def requests_per_second(scenario, seeds: range, repeats: int) -> tuple[float, int]:
    """Requests (every arrival event, deferred ones included) per second of `simulate`."""
    results = [simulate(scenario, seed) for seed in seeds]
    n = sum(r.kpis["arrivals"] + r.kpis["requests_deferred"] for r in results)
    seconds = best_of(repeats, lambda: [simulate(scenario, seed) for seed in seeds])
    return n / seconds, n // len(seeds)


def mmc_comparison(repeats: int) -> dict[str, float]:
    scenario = mmc_scenario(servers=5, utilisation=0.8, horizon_months=240)
    model_rate, n = requests_per_second(scenario, range(1, 2), repeats)
    simpy_seconds = best_of(repeats, lambda: idiomatic_simpy_mmc(5, 0.8, n, seed=1))
    return {"n": n, "model": model_rate, "simpy": n / simpy_seconds}


def batch_seconds(scenario, reps: int, executor) -> float:
    with tempfile.TemporaryDirectory() as scratch:
        start = time.perf_counter()
        run_batch(BatchRequest(scenario, 1, reps, Path(scratch) / "run"), executor)
        seconds = time.perf_counter() - start
    executor.close()
    return seconds


def dask_overhead_ms(reps: int) -> float:
    """Extra worker-time per replication on a LocalCluster, over running it in-process."""
    scenario = mmc_scenario(servers=2, utilisation=0.5, horizon_months=2)
    payload = (scenario, 1)
    serial = best_of(3, lambda: [replicate(payload, rep) for rep in range(reps)])
    dask = DaskExecutor("local", workers=2)
    try:
        list(dask.run(replicate, payload, range(20)))  # warm the workers
        start = time.perf_counter()
        list(dask.run(replicate, payload, range(reps)))
        wall = time.perf_counter() - start
    finally:
        dask.close()
    return (wall * 2 - serial) / reps * 1000


def peak_memory_mb(reps: int) -> float:
    """Peak resident memory of an in-process `ccs-sim run` of `reps` small replications."""
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "mmc.yaml"
        path.write_text(scenario_to_yaml(mmc_scenario(2, 0.5, horizon_months=12)))
        code = (
            "import resource, sys; from sim.cli import main; "
            f"rc = main(['run', {str(path)!r}, '--reps', '{reps}', '--workers', '1', "
            f"'--out', {str(Path(scratch) / 'run')!r}]); "
            "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)"
        )
        done = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        )
        return int(done.stderr.strip().splitlines()[-1]) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats and replications")
    args = parser.parse_args()
    repeats = 2 if args.quick else 5
    rows: list[tuple[str, str, str]] = []

    mmc = mmc_comparison(repeats)
    ratio = mmc["model"] / mmc["simpy"]
    rows.append(("Idiomatic SimPy M/M/c (c=5, rho=0.8)", "-", f"{mmc['simpy']:,.0f} req/s"))
    rows.append(
        ("Model reduced to M/M/c, same c, rho, requests", "-", f"{mmc['model']:,.0f} req/s")
    )
    rows.append(("Model / idiomatic SimPy", ">= 2x", f"{ratio:.2f}x"))

    for name in ("baseline", "plan_2014"):
        scenario = load_scenario(ROOT / "scenarios" / f"{name}.yaml")
        rate, n = requests_per_second(scenario, range(1, 3), max(2, repeats // 2))
        slowdown = mmc["model"] / rate
        rows.append(
            (f"{name}: requests/s ({n:,} requests per replication)", "-", f"{rate:,.0f} req/s")
        )
        rows.append((f"{name}: M/M/c rate / {name} rate", "<= 1.5x", f"{slowdown:.2f}x"))

    scenario = load_scenario(ROOT / "scenarios" / "baseline.yaml")
    reps = 8 if args.quick else 20
    run_replication(scenario, 1, 0)
    serial = batch_seconds(scenario, reps, InProcessExecutor())
    cores = os.cpu_count() or 1
    parallel = batch_seconds(scenario, reps, PoolExecutor(cores))
    efficiency = serial / (cores * parallel)
    rows.append(
        (f"Baseline replications/s, serial ({reps} reps, with I/O)", "-", f"{reps / serial:.2f}/s")
    )
    rows.append((f"Baseline replications/s, {cores} cores", "-", f"{reps / parallel:.2f}/s"))
    rows.append((f"Parallel efficiency on {cores} cores", ">= 0.95", f"{efficiency:.2f}"))

    overhead = dask_overhead_ms(100 if args.quick else 400)
    rows.append(("Dask LocalCluster overhead per replication", "<= 15 ms", f"{overhead:.1f} ms"))

    small, large = peak_memory_mb(100), peak_memory_mb(500 if args.quick else 2000)
    rows.append(("Peak memory, 100 replications (in-process run)", "-", f"{small:.0f} MB"))
    big = 500 if args.quick else 2000
    rows.append((f"Peak memory, {big:,} replications", "flat", f"{large:.0f} MB"))

    print(f"Machine: {platform.platform()}, {cores} cores, Python {platform.python_version()}")
    print("\n| measure | target | measured |\n|---|---|---|")
    for measure, target, value in rows:
        print(f"| {measure} | {target} | {value} |")


if __name__ == "__main__":
    main()

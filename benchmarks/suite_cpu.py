"""CPU time of the test suite, as it was and as it is.

Before: argon2 at production strength and a new app built for every test.
After: argon2's cheapest profile (PASSWORD_HASH_PROFILE) and apps reused
from test to test on fresh databases (tests/conftest.py).

    .venv/bin/python benchmarks/suite_cpu.py [--repeat N] [pytest args...]

Runs the suite (or the pytest arguments given) in child processes, the two
set-ups alternating, and prints the CPU time (user + system, children
included) of each run, the medians and their ratio. CPU time rather than
wall time: the machine is shared, and waiting for a core is not work done.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SETUPS = {
    "before": {"RELAIS_TEST_PASSWORD_HASH": "RFC_9106_LOW_MEMORY", "RELAIS_TEST_FRESH_APPS": "1"},
    "after": {"RELAIS_TEST_PASSWORD_HASH": "CHEAPEST", "RELAIS_TEST_FRESH_APPS": ""},
}


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_suite(name: str, pytest_args: list[str]) -> tuple[float, float]:
    env = {**os.environ, **SETUPS[name]}
    before_cpu, before_wall = children_cpu(), time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *pytest_args],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    cpu, wall = children_cpu() - before_cpu, time.perf_counter() - before_wall
    summary = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else "(no output)"
    if result.returncode != 0:
        sys.exit(f"suite failed ({name}): {summary}")
    print(f"  {name:<8} cpu {cpu:7.1f} s   wall {wall:7.1f} s   {summary}", flush=True)
    return cpu, wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1)
    args, pytest_args = parser.parse_known_args()
    cpu: dict[str, list[float]] = {name: [] for name in SETUPS}
    for run in range(args.repeat):
        print(f"run {run + 1}/{args.repeat}")
        for name in SETUPS:
            cpu[name].append(run_suite(name, pytest_args)[0])
    before, after = statistics.median(cpu["before"]), statistics.median(cpu["after"])
    print(f"median CPU: before {before:.1f} s, after {after:.1f} s, {before / after:.1f}x less")


if __name__ == "__main__":
    main()

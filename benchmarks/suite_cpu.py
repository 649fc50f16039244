"""CPU time of the test suite: argon2 at production strength vs its cheapest profile.

    .venv/bin/python benchmarks/suite_cpu.py [--repeat N] [pytest args...]

Runs the suite (or the pytest arguments given) in child processes, the two
profiles alternating, and prints the CPU time (user + system, children
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
PROFILES = {"production": "RFC_9106_LOW_MEMORY", "tests": "CHEAPEST"}


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_suite(profile: str, pytest_args: list[str]) -> tuple[float, float]:
    env = {**os.environ, "RELAIS_TEST_PASSWORD_HASH": profile}
    before_cpu, before_wall = children_cpu(), time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *pytest_args],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    cpu, wall = children_cpu() - before_cpu, time.perf_counter() - before_wall
    summary = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else "(no output)"
    if result.returncode != 0:
        sys.exit(f"suite failed with {profile}: {summary}")
    print(f"  {profile:<20} cpu {cpu:7.1f} s   wall {wall:7.1f} s   {summary}", flush=True)
    return cpu, wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1)
    args, pytest_args = parser.parse_known_args()
    cpu: dict[str, list[float]] = {name: [] for name in PROFILES}
    for run in range(args.repeat):
        print(f"run {run + 1}/{args.repeat}")
        for name, profile in PROFILES.items():
            cpu[name].append(run_suite(profile, pytest_args)[0])
    before, after = statistics.median(cpu["production"]), statistics.median(cpu["tests"])
    print(f"median CPU: production-strength hashing {before:.1f} s, cheapest profile {after:.1f} s, "
          f"{before / after:.1f}x less")


if __name__ == "__main__":
    main()

"""``python -m harness run`` measures; ``python -m harness report`` rewrites the report.

Run from bench/ (bench.mk does): ``make bench`` is ``run``, ``make bench-smoke`` is
``run --smoke``, a few seconds that prove the harness still works and assert nothing about
speed.
"""

import argparse
import dataclasses
import datetime
import json
import os
import resource
import shutil
import signal
import sys
import time
from pathlib import Path
from typing import Any

from harness import ROOT, chart, facts, postgres, report, run, targets

RESULTS = ROOT / "bench" / "results"
SMOKE_OUT = ROOT / "tmp" / "bench-smoke"

# The open files the load needs at once: 1,000 client sockets in wrk, as many in the service,
# and pgbench's 1,000 plus PostgreSQL's backends.
OPEN_FILES = 16_384


class HarnessError(Exception):
    """Something the harness needs is missing."""


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and do what it says."""
    args = _parser().parse_args(argv)
    # PostgreSQL and the services run in sessions of their own, so a signal to this process
    # alone would leave them running: turn SIGTERM into an exit that stops them on its way out.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    try:
        if args.command == "report":
            results = json.loads(args.results.read_text())
            _write_outputs(results, args.results, args.report, args.chart)
            return 0
        return measure(args)
    except (HarnessError, postgres.PostgresError, targets.TargetError) as err:
        print(f"bench: {err}", file=sys.stderr)
        return 1


def measure(args: argparse.Namespace) -> int:
    """Carry out the plan and write results.json, the chart and the report."""
    plan = _plan(args)
    out: Path = args.out or (SMOKE_OUT if args.smoke else RESULTS)
    out.mkdir(parents=True, exist_ok=True)
    logs = ROOT / "tmp" / "bench-logs" / time.strftime("%Y%m%d-%H%M%S")
    logs.mkdir(parents=True, exist_ok=True)
    binaries = _binaries(args)
    _raise_open_files_limit()

    chosen = [
        t
        for t in targets.all_targets(binaries["gin"], binaries["baseline"])
        if t.name in plan.targets
    ]
    bindir = postgres.find_bindir()
    started_at = datetime.datetime.now(datetime.UTC)
    progress = run.Progress(plan)
    progress.say(
        f"bench: {plan.rounds} rounds x {plan.runs_per_round()} runs of {plan.duration_s:g} s; "
        f"logs in {logs}"
    )

    with postgres.running(targets.free_port(), binaries["migrate"]) as server:
        progress.say(f"bench: PostgreSQL {server.settings()['server_version']} on :{server.port}")
        pg_settings = server.settings()
        record = run.carry_out(plan, server, chosen, logs, progress)

    results = {
        "mode": "smoke" if args.smoke else ("full" if _is_full(plan) else "partial"),
        "command": "make bench-smoke" if args.smoke else "make bench",
        "started_at": started_at.isoformat(timespec="seconds"),
        "elapsed_s": round((datetime.datetime.now(datetime.UTC) - started_at).total_seconds()),
        "machine": facts.machine(),
        "versions": facts.versions(bindir),
        "postgres_settings": pg_settings,
        "settings": run.settings(plan),
        "targets": {
            t.name: {
                "label": t.label,
                "calibration": t.calibration,
                "lines_of_code": facts.lines_of_code(t),
                "image": t.image,
                "image_size_bytes": facts.image_size(t.image),
                "startup_s": record.startup_s.get(t.name, []),
                "lifetime_peak_rss_bytes": record.lifetime_peak_rss.get(t.name, []),
                "source_digests": record.source_digests.get(t.name, []),
            }
            for t in chosen
        },
        "restarts": record.restarts,
        "quiet_waits_s": record.quiet_waits_s,
        "runs": record.runs,
        "paths": {"results": str(out / "results.json")},
    }
    results_path = out / "results.json"
    report_path = out / "BENCHMARKS.md" if args.smoke or args.out else ROOT / "BENCHMARKS.md"
    _write_outputs(results, results_path, report_path, out / "throughput-p99.png")

    failed = [r for r in record.runs if r["failed"]]
    progress.say(f"bench: {len(record.runs)} runs, {len(failed)} failed; report: {report_path}")
    # A smoke run asserts nothing about speed, but a failed run there means a broken harness.
    return 1 if args.smoke and failed else 0


def _write_outputs(results: dict[str, Any], results_path: Path, md: Path, png: Path) -> None:
    results["paths"] = {"results": str(results_path), "chart": str(png), "report": str(md)}
    results_path.write_text(json.dumps(results, indent=1) + "\n")
    chart.draw(results, png)
    report.write(results, md, png)


def _plan(args: argparse.Namespace) -> run.Plan:
    plan = run.SMOKE if args.smoke else run.FULL
    changes: dict[str, Any] = {}
    if args.rounds:
        changes["rounds"] = args.rounds
    if args.duration:
        changes["duration_s"] = args.duration
    if args.connections:
        changes["connections"] = tuple(int(c) for c in args.connections.split(","))
    if args.workloads:
        changes["workloads"] = tuple(args.workloads.split(","))
    if args.targets:
        changes["targets"] = tuple(args.targets.split(","))
    if args.pool_size:
        changes["pool_size"] = args.pool_size
    if args.db_connections:
        changes["db_connections"] = args.db_connections
    return dataclasses.replace(plan, **changes)


def _is_full(plan: run.Plan) -> bool:
    return plan == run.FULL


def _binaries(args: argparse.Namespace) -> dict[str, Path]:
    found = {"gin": args.gin_binary, "baseline": args.baseline_binary, "migrate": args.migrate}
    for name, path in found.items():
        if not path.exists():
            raise HarnessError(f"{name} binary not found at {path}: run `make bench` to build it")
    for tool in ("wrk",):
        if shutil.which(tool) is None:
            raise HarnessError(f"{tool} not found: `apt-get install {tool}` (make bench does)")
    return found


def _raise_open_files_limit() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < OPEN_FILES and os.geteuid() == 0:
        hard = OPEN_FILES
    wanted = OPEN_FILES if hard == resource.RLIM_INFINITY else min(OPEN_FILES, hard)
    if soft == resource.RLIM_INFINITY or soft >= wanted:
        return
    resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m harness", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    measure = commands.add_parser("run", help="measure, then write results, chart and report")
    measure.add_argument("--smoke", action="store_true", help="a few seconds, for CI")
    measure.add_argument("--rounds", type=int)
    measure.add_argument("--duration", type=float, help="seconds per run")
    measure.add_argument("--connections", help="comma-separated, e.g. 16,64,256,1000")
    measure.add_argument("--workloads", help="comma-separated: get,post,mix")
    measure.add_argument("--targets", help="comma-separated: fastapi,gin,fastapi-asyncpg,...")
    measure.add_argument(
        "--pool-size", type=int, help="DATABASE_POOL_SIZE of every service (default: theirs)"
    )
    measure.add_argument(
        "--db-connections", type=int, help="pgbench's reference client count (default: 20)"
    )
    measure.add_argument("--out", type=Path, help="directory for results, chart and report")
    bin_dir = ROOT / ".bin"
    measure.add_argument(
        "--gin-binary", type=Path, default=Path(os.environ.get("GIN_BINARY", bin_dir / "users-gin"))
    )
    measure.add_argument(
        "--baseline-binary",
        type=Path,
        default=Path(os.environ.get("BENCH_BASELINE_BINARY", bin_dir / "bench-nethttp-pgx")),
    )
    measure.add_argument(
        "--migrate", type=Path, default=Path(os.environ.get("MIGRATE", bin_dir / "migrate"))
    )

    rewrite = commands.add_parser("report", help="rewrite the report and chart from results")
    rewrite.add_argument("results", type=Path)
    rewrite.add_argument("--report", type=Path, default=ROOT / "BENCHMARKS.md")
    rewrite.add_argument("--chart", type=Path, default=RESULTS / "throughput-p99.png")
    return parser


if __name__ == "__main__":
    sys.exit(main())

"""The plan of a benchmark and the loop that carries it out.

Rounds interleave the targets, A/B style: round 1 measures them in one order, round 2 in the
reverse order, and so on, so that a slow drift of the machine (another job starting, the disk
filling its cache) falls on every target alike instead of on the last one. Every target of every
round starts from a freshly reset table, and every service is started anew for its block, which
also gives one startup time per round.
"""

import itertools
import os
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from harness import facts, loadgen, postgres, procs, targets
from harness.loadgen import Probe, Result
from harness.targets import Running, Target

WORKLOADS = ("get", "post", "mix")

# Between runs, the harness waits while more than this many cores are busy (see settle()).
QUIET_CORES = 0.3


@dataclass(frozen=True)
class Plan:
    """Everything that decides what is measured, and for how long."""

    rounds: int = 3
    duration_s: float = 8.0
    connections: tuple[int, ...] = (16, 64, 256, 1000)
    workloads: tuple[str, ...] = WORKLOADS
    rows: int = 100_000
    # None: every service and baseline runs with its own defaults, the tuned ones (the
    # baselines' match the services'). A number sets DATABASE_POOL_SIZE of every one of them.
    pool_size: int | None = None
    # The database connections the services open with their defaults on the benchmark's
    # machine (Gin: a pool of 20; FastAPI: 2 workers with a pool of 10 each): pgbench's
    # reference client count. Each run counts the connections really open, for the report.
    db_connections: int = 20
    log_level: str = "info"
    # Unmeasured load after each start: fills the pool and the statement caches.
    warmup_s: float = 2.0
    warmup_connections: int = 64
    # Seconds of quiet between two runs, for sockets to close and queues to drain.
    pause_s: float = 1.0
    # While the machine is busy between runs, wait up to this long for it, and no more than
    # quiet_budget_s over the whole benchmark, which stays bounded on a machine never quiet.
    quiet_wait_s: float = 30.0
    quiet_budget_s: float = 600.0
    targets: tuple[str, ...] = ("fastapi", "gin", "fastapi-asyncpg", "nethttp-pgx", "pgbench")

    @property
    def pgbench_connections(self) -> tuple[int, ...]:
        """The client counts of wrk, and the DB connections the services use."""
        return tuple(sorted({*self.connections, self.db_connections}))

    def runs_per_round(self) -> int:
        """How many measured runs one round makes."""
        per_service = len(self.workloads) * len(self.connections)
        services = sum(1 for name in self.targets if name != "pgbench")
        if "pgbench" not in self.targets:
            return services * per_service
        return services * per_service + len(self.workloads) * len(self.pgbench_connections)


FULL = Plan()
SMOKE = Plan(
    rounds=1,
    duration_s=1.0,
    connections=(16,),
    rows=1_000,
    warmup_s=0.5,
    warmup_connections=16,
    pause_s=0.2,
    quiet_wait_s=0.0,
    quiet_budget_s=0.0,
)


@dataclass
class Record:
    """What a benchmark has found so far; becomes results.json."""

    runs: list[dict[str, Any]] = field(default_factory=list)
    startup_s: dict[str, list[float]] = field(default_factory=dict)
    lifetime_peak_rss: dict[str, list[int]] = field(default_factory=dict)
    restarts: list[str] = field(default_factory=list)
    quiet_waits_s: list[float] = field(default_factory=list)
    # The digest of each target's sources at each start: more than one means someone edited
    # them while the benchmark ran, and the rounds did not measure the same code.
    source_digests: dict[str, list[str]] = field(default_factory=dict)


class Progress:
    """One line per run on stdout, with the time spent and an estimate of the time left."""

    def __init__(self, plan: Plan) -> None:
        self.total = plan.rounds * plan.runs_per_round()
        self.done = 0
        self.began = time.monotonic()

    def say(self, text: str) -> None:
        """Print a line at once, even when stdout is a pipe."""
        print(text, flush=True)

    def run(self, result: Result) -> None:
        """Report one finished run."""
        self.done += 1
        spent = time.monotonic() - self.began
        left = spent / self.done * (self.total - self.done)
        head = f"[{self.done:>3}/{self.total} {_minutes(spent)}, ~{_minutes(left)} left]"
        where = f"r{result.round} {result.target:<15} {result.workload:<4} c={result.connections}"
        self.say(f"{head} {where} {_summary(result)}")


def carry_out(
    plan: Plan, server: postgres.Server, chosen: list[Target], logs: Path, progress: Progress
) -> Record:
    """Measure every target of ``chosen`` in ``plan.rounds`` interleaved rounds."""
    bench = _Bench(plan, server, logs, progress)
    for round_number in range(1, plan.rounds + 1):
        order = chosen if round_number % 2 else chosen[::-1]
        progress.say(f"--- round {round_number}/{plan.rounds}: {', '.join(t.name for t in order)}")
        for target in order:
            postgres.reset_table(server, plan.rows)
            bench.settle()
            if target.command is None:
                bench.pgbench_block(round_number)
            else:
                bench.service_block(target, round_number)
    return bench.record


class _Bench:
    """The state one benchmark carries from block to block."""

    def __init__(self, plan: Plan, server: postgres.Server, logs: Path, progress: Progress) -> None:
        self.plan = plan
        self.server = server
        self.logs = logs
        self.progress = progress
        self.record = Record()
        # A new number for every run: it keeps the e-mail addresses of the POSTs unique.
        self.nonces = itertools.count(int(time.time()))

    def service_block(self, target: Target, round_number: int) -> None:
        """Start ``target``, warm it up, measure every workload and connection count."""
        plan = self.plan
        env = {"DATABASE_URL": self.server.url, "LOG_LEVEL": plan.log_level}
        if plan.pool_size is not None:
            env["DATABASE_POOL_SIZE"] = str(plan.pool_size)
        log = self.logs / f"{target.name}.log"
        running = self._start(target, env, log)
        try:
            warmup = Result(
                target.name, "mix", plan.warmup_connections, round_number, plan.warmup_s
            )
            self._wrk(running, warmup)

            for workload, connections in itertools.product(plan.workloads, plan.connections):
                if not running.alive():
                    # A crash is a finding: the run it happened in failed with socket errors.
                    self.record.restarts.append(f"round {round_number}: {target.name} exited")
                    self.progress.say(f"!!! {target.name} exited (see {log}); restarting it")
                    running = self._start(target, env, log)

                result = Result(target.name, workload, connections, round_number, plan.duration_s)
                self._wrk(running, result)
                self._keep(result)

            self.record.lifetime_peak_rss.setdefault(target.name, []).append(
                targets.lifetime_peak_rss(running.pid)
            )
        finally:
            targets.stop(running)

    def pgbench_block(self, round_number: int) -> None:
        """Measure the database alone: every workload at every pgbench client count."""
        plan = self.plan
        for workload, connections in itertools.product(plan.workloads, plan.pgbench_connections):
            result = Result("pgbench", workload, connections, round_number, plan.duration_s)
            loadgen.pgbench(
                self.server,
                result,
                probe=Probe(None, self.server.pid),
                nonce=next(self.nonces),
                rows=plan.rows,
                log=self.logs / "pgbench.log",
            )
            self._keep(result)

    def _start(self, target: Target, env: dict[str, str], log: Path) -> Running:
        digests = self.record.source_digests.setdefault(target.name, [])
        digests.append(facts.sources_digest(target))
        running = targets.start(target, env, log)
        startups = self.record.startup_s.setdefault(target.name, [])
        startups.append(round(running.startup_seconds, 4))
        self.progress.say(f"    {target.name}: ready in {running.startup_seconds * 1000:.0f} ms")
        return running

    def _wrk(self, running: Running, result: Result) -> None:
        loadgen.wrk(
            running.url,
            result,
            probe=Probe(running.pid, self.server.pid),
            nonce=next(self.nonces),
            rows=self.plan.rows,
            log=self.logs / "wrk.log",
        )

    def _keep(self, result: Result) -> None:
        self.record.runs.append(result.to_json())
        self.progress.run(result)
        self.settle()

    def settle(self) -> None:
        """Pause between runs, longer while the machine is busy with something else.

        Between two runs nothing of the benchmark's should be working, so CPU time used then
        is another job's (or a service still draining its backlog, or autovacuum). Waiting for
        it to end, within the plan's bounds, keeps it out of the next run; what is left shows
        up as the run's *other* CPU.
        """
        plan, waited = self.plan, 0.0
        budget = plan.quiet_budget_s - sum(self.record.quiet_waits_s)
        while True:
            before = procs.busy_seconds()
            time.sleep(plan.pause_s)
            busy = (procs.busy_seconds() - before) / plan.pause_s
            if busy <= QUIET_CORES or waited >= min(plan.quiet_wait_s, budget):
                break
            waited += plan.pause_s
            if waited % 10 < plan.pause_s:
                self.progress.say(f"    waiting for a quiet machine: {busy:.2f} cores busy")
        if waited:
            self.record.quiet_waits_s.append(waited)


def settings(plan: Plan) -> dict[str, Any]:
    """Every setting of the run that is not a version: the report states them all."""
    return {
        "plan": asdict(plan) | {"pgbench_connections": plan.pgbench_connections},
        "uvicorn": f"WEB_CONCURRENCY worker processes: {_workers()}; uvloop, httptools, "
        "access log off",
        "gomaxprocs": os.environ.get("GOMAXPROCS", f"unset (Go's default: {os.cpu_count()})"),
        "pinning": "none: the service, PostgreSQL and the load generator share every core",
        "load_generator": f"wrk, {loadgen.THREADS} threads, timeout {loadgen.WRK_TIMEOUT}; "
        f"pgbench -M prepared, {loadgen.THREADS} threads",
        "db_connections": "services and baselines: "
        + (
            f"a pool of at most {plan.pool_size} (DATABASE_POOL_SIZE) per process"
            if plan.pool_size
            else "their default pools"
        )
        + f"; pgbench: one per client, and its reference for the services: {plan.db_connections}",
        "max_error_rate": loadgen.MAX_ERROR_RATE,
        "open_files_limit": _open_files_limit(),
        "python_executable": sys.executable,
    }


def _workers() -> str:
    if workers := os.environ.get("WEB_CONCURRENCY"):
        return f"{workers} (WEB_CONCURRENCY)"
    return f"{len(os.sched_getaffinity(0))} (the default: one per usable CPU)"


def _open_files_limit() -> int:
    import resource  # noqa: PLC0415 -- Unix only, like the rest of the harness

    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def _summary(result: Result) -> str:
    if result.failed:
        return f"FAILED: {result.failed}"
    latency = result.latency_ms
    little = result.littles_law()
    per_request = result.cpu_us_per_request
    cpu = " ".join(
        f"{kind} {per_request[kind]:.0f}"
        for kind in ("service", "postgres", "loadgen")
        if per_request.get(kind)
    )
    return (
        f"{result.requests_per_s:>9,.0f} req/s  mean {latency['mean']:.2f} ms "
        f"(c/X {little['predicted_mean_ms'] if little else 0:.2f})  "
        f"p99 {latency.get('p99', 0):.1f} ms  err {sum(result.errors.values())}  CPU us/req: {cpu}"
    )


def _minutes(seconds: float) -> str:
    return f"{int(seconds // 60)}m{int(seconds % 60):02d}s"

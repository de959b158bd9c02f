"""The load generators, wrk and pgbench, and one measured run of either.

Both are closed-loop: every connection (or pgbench client) sends its next request as soon as
the previous answer arrives, so the latencies they report are those of a system that is never
offered more than it can do. A run's figures are kept only with the CPU counters read around it.
"""

import contextlib
import json
import os
import re
import subprocess
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, Any

from harness import BENCH, postgres, procs

WRK_SCRIPT = BENCH / "users.lua"
PGBENCH_SCRIPTS = BENCH / "pgbench"

# wrk's threads and pgbench's: one per core of this machine, as the load generator competes
# for the same cores as the service and PostgreSQL.
THREADS = min(os.cpu_count() or 2, 4)

# A request that takes longer than this is counted as a timeout error by wrk. The services
# give the database 5 s, so 10 s is a request that nothing would ever answer.
WRK_TIMEOUT = "10s"

# Seconds a run may overrun its duration before the harness kills it: connecting 1,000
# pgbench clients, each a new PostgreSQL backend, takes a few seconds.
GRACE = 60

# pgbench logs one transaction in this many for the latency percentiles; writing every one
# would cost pgbench more CPU than the rest of its work.
PGBENCH_SAMPLING = 0.2

# The share of requests that may fail before a run is reported as failed rather than as a
# number: 0.1%.
MAX_ERROR_RATE = 0.001

# Percentile names in results.json, and their keys in the wrk script's summary.
PERCENTILES = {"p50": "50", "p90": "90", "p99": "99", "p99.9": "99.9"}

# The pgbench script of each workload, with its weight.
PGBENCH_WORKLOADS = {
    "get": ("get.sql@1",),
    "post": ("post.sql@1",),
    "mix": ("get.sql@9", "post.sql@1"),
}


@dataclass
class Result:
    """The figures of one run, as they go into results.json."""

    target: str
    workload: str
    connections: int
    round: int
    duration_s: float
    requests: int = 0
    requests_per_s: float = 0.0
    errors: dict[str, int] = field(default_factory=dict)
    error_rate: float = 0.0
    failed: str | None = None
    # As the requests experienced them: closed-loop. For wrk, also the figures wrk itself prints,
    # after its correction for coordinated omission (see users.lua), for reference only.
    latency_ms: dict[str, float] = field(default_factory=dict)
    wrk_corrected_latency_ms: dict[str, float] | None = None
    cpu_s: dict[str, float] = field(default_factory=dict)
    cpu_us_per_request: dict[str, float] = field(default_factory=dict)
    peak_rss_bytes: int | None = None
    # Counted after the run: the service's open database connections (its pools keep them),
    # or pgbench's clients. And the processes of the service: uvicorn and its workers.
    db_connections: int | None = None
    processes: int | None = None
    wall_s: float = 0.0

    def to_json(self) -> dict[str, Any]:
        """A plain dict, with the Little's law check worked out."""
        data = asdict(self)
        data["littles_law"] = self.littles_law()
        return data

    def littles_law(self) -> dict[str, float] | None:
        """Closed loop: connections = throughput x mean latency, so mean = c / X."""
        if not self.requests_per_s or "mean" not in self.latency_ms:
            return None
        predicted = self.connections / self.requests_per_s * 1000
        return {
            "predicted_mean_ms": round(predicted, 3),
            "measured_mean_ms": self.latency_ms["mean"],
            "measured_over_predicted": round(self.latency_ms["mean"] / predicted, 3),
        }

    def judge_errors(self) -> None:
        """Mark the run as failed if more than MAX_ERROR_RATE of its requests failed."""
        count = sum(self.errors.values())
        self.error_rate = count / max(self.requests + self._socket_errors(), 1)
        if self.error_rate > MAX_ERROR_RATE and not self.failed:
            self.failed = f"{count} errors ({self.error_rate:.2%}): {self.errors}"

    def _socket_errors(self) -> int:
        # wrk counts non-2xx responses among its requests, but not socket errors.
        return sum(n for kind, n in self.errors.items() if kind != "status")


@dataclass(frozen=True)
class Probe:
    """The processes whose CPU a run measures: the service (if any) and PostgreSQL."""

    service_pid: int | None
    postgres_pid: int


def measure(command: list[str], result: Result, probe: Probe, log: Path) -> tuple[str, str]:
    """Run the load generator ``command`` and fill in ``result``'s CPU and memory figures.

    Returns what the generator printed on stdout and on stderr, which is also appended to
    ``log``. Its own CPU time comes from wait4(), which reports the resources of the child it
    reaps, threads and all.
    """
    with contextlib.ExitStack() as stack:
        out = stack.enter_context(tempfile.TemporaryFile())
        err = stack.enter_context(tempfile.TemporaryFile())
        rss = stack.enter_context(procs.PeakRSS(probe.service_pid)) if probe.service_pid else None
        before = procs.Snapshot.take(probe.service_pid, probe.postgres_pid)
        began = time.perf_counter()
        process = subprocess.Popen(command, stdout=out, stderr=err)
        watchdog = threading.Timer(result.duration_s + GRACE, process.kill)
        watchdog.start()
        _, status, usage = os.wait4(process.pid, 0)
        watchdog.cancel()
        process.returncode = os.waitstatus_to_exitcode(status)
        result.wall_s = round(time.perf_counter() - began, 3)
        after = procs.Snapshot.take(probe.service_pid, probe.postgres_pid)
        if probe.service_pid:
            result.db_connections = procs.client_backends(probe.postgres_pid)
            result.processes = len(procs.tree(probe.service_pid))
        if rss is not None:
            rss.stop()
            result.peak_rss_bytes = rss.peak
        stdout, stderr = (_read_all(file) for file in (out, err))

    with log.open("a") as file:
        file.write(f"$ {' '.join(command)}\n{stdout}{stderr}\n")

    loadgen = usage.ru_utime + usage.ru_stime
    cpu = {
        "service": after.service - before.service,
        "postgres": after.postgres - before.postgres,
        "loadgen": loadgen,
    }
    # Whatever else ran on the machine meanwhile (the harness itself included): the noise.
    cpu["other"] = max(after.machine - before.machine - sum(cpu.values()), 0.0)
    result.cpu_s = {kind: round(seconds, 3) for kind, seconds in cpu.items()}
    if process.returncode != 0:
        result.failed = f"{Path(command[0]).name} exited with status {process.returncode}"
    return stdout, stderr


def _read_all(file: IO[bytes]) -> str:
    file.seek(0)
    return file.read().decode(errors="replace")


def wrk(url: str, result: Result, *, probe: Probe, nonce: int, rows: int, log: Path) -> Result:
    """One wrk run of ``result.workload`` against ``url``."""
    command = [
        "wrk",
        *("-t", str(min(THREADS, result.connections))),
        *("-c", str(result.connections)),
        *("-d", f"{result.duration_s:g}s"),
        *("--timeout", WRK_TIMEOUT),
        *("-s", str(WRK_SCRIPT)),
        url,
        *("--", result.workload, str(rows), str(nonce), str(result.connections)),
    ]
    output, _ = measure(command, result, probe, log)

    match = re.search(r"^BENCH_JSON (.*)$", output, re.MULTILINE)
    if match is None:
        result.failed = result.failed or f"wrk printed no summary: {output[-500:]!r}"
        return result
    summary = json.loads(match.group(1))
    seconds = summary["duration_us"] / 1e6
    latency = summary["latency_us"]
    result.requests = summary["requests"]
    result.requests_per_s = round(result.requests / seconds, 1)
    result.errors = summary["errors"]
    result.latency_ms = {"mean": round(latency["mean"] / 1000, 3)} | {
        name: latency["percentiles"][key] / 1000 for name, key in PERCENTILES.items()
    }
    result.latency_ms["max"] = latency["max"] / 1000
    corrected = summary["wrk_corrected_latency_us"]
    result.wrk_corrected_latency_ms = {"mean": round(corrected["mean"] / 1000, 3)} | {
        name: corrected["percentiles"][key] / 1000 for name, key in PERCENTILES.items()
    }

    # Every completed request is one sample, except those over wrk's timeout, which it counts
    # as errors instead. Anything else means the undoing of wrk's correction went wrong.
    expected = result.requests - result.errors["timeout"]
    if latency["samples"] != expected:
        result.failed = f"latency samples {latency['samples']} != {expected} requests"
    return _finish(result)


def pgbench(
    server: postgres.Server, result: Result, *, probe: Probe, nonce: int, rows: int, log: Path
) -> Result:
    """One pgbench run of ``result.workload``: the services' statements, prepared, no HTTP."""
    with tempfile.TemporaryDirectory(prefix="bench-pgbench-") as tmp:
        command = [
            str(server.bindir / "pgbench"),
            *("-h", "127.0.0.1", "-p", str(server.port), "-U", postgres.USER),
            "-n",  # no pgbench tables to vacuum
            *("-M", "prepared"),
            *("-c", str(result.connections)),
            *("-j", str(min(THREADS, result.connections))),
            *("-T", f"{max(round(result.duration_s), 1)}"),
            *("-D", f"rows={rows}", "-D", f"nonce={nonce}", "-D", "k=0"),
            *(
                arg
                for script in PGBENCH_WORKLOADS[result.workload]
                for arg in ("-f", str(PGBENCH_SCRIPTS / script))
            ),
            "-l",
            f"--log-prefix={tmp}/tx",
            f"--sampling-rate={PGBENCH_SAMPLING}",
            postgres.DATABASE,
        ]
        output, errors = measure(command, result, probe, log)
        latencies = sorted(_pgbench_latencies(Path(tmp)))

    result.db_connections = result.connections
    processed = re.search(r"number of transactions actually processed: (\d+)", output)
    tps = re.search(r"tps = ([\d.]+) \(without initial connection time\)", output)
    mean = re.search(r"latency average = ([\d.]+) ms", output)
    if not (processed and tps and mean):
        result.failed = result.failed or f"pgbench printed no summary: {output[-500:]!r}"
        return result

    result.requests = int(processed.group(1))
    result.requests_per_s = round(float(tps.group(1)), 1)
    failed = re.search(r"number of failed transactions: (\d+)", output)
    result.errors = {"failed": int(failed.group(1)) if failed else 0}
    if aborted := len(re.findall(r"client \d+ (?:script \d+ )?aborted", errors)):
        result.errors["aborted_clients"] = aborted
    result.latency_ms = {"mean": float(mean.group(1))}
    if latencies:
        result.latency_ms |= {
            name: _percentile(latencies, p) / 1000
            for name, p in (("p50", 50), ("p90", 90), ("p99", 99), ("p99.9", 99.9))
        }
        result.latency_ms["max"] = latencies[-1] / 1000
    return _finish(result)


def _finish(result: Result) -> Result:
    result.cpu_us_per_request = {
        kind: round(seconds / result.requests * 1e6, 1) if result.requests else 0.0
        for kind, seconds in result.cpu_s.items()
    }
    result.judge_errors()
    return result


def _pgbench_latencies(directory: Path) -> list[int]:
    # One line per logged transaction: client, transaction, latency in us, script, ...
    latencies = []
    for path in directory.iterdir():
        for line in path.read_text().splitlines():
            fields = line.split()
            if len(fields) >= 3 and fields[2].isdigit():
                latencies.append(int(fields[2]))
    return latencies


def _percentile(ordered: list[int], p: float) -> float:
    """The nearest-rank percentile, as wrk computes it from its histogram."""
    rank = max(round(p / 100 * len(ordered) + 0.5) - 1, 0)
    return float(ordered[min(rank, len(ordered) - 1)])

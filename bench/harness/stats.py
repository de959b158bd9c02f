"""From the runs of results.json to medians, ranges and ratios.

A run that failed (more than 0.1% errors, or a generator that died) is never a number: a cell
is the median of the runs of its group that succeeded, and says how many failed.
"""

import statistics
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

Run = dict[str, Any]


@dataclass(frozen=True)
class Spread:
    """The median and the range of a figure over the rounds."""

    median: float
    low: float
    high: float
    count: int

    @classmethod
    def of(cls, values: Iterable[float]) -> "Spread | None":
        """None when there is no value at all."""
        found = list(values)
        if not found:
            return None
        return cls(statistics.median(found), min(found), max(found), len(found))


@dataclass(frozen=True)
class Group:
    """The runs of one target, workload and connection count, one per round."""

    target: str
    workload: str
    connections: int
    runs: list[Run]

    @property
    def ok(self) -> list[Run]:
        """The runs that did not fail."""
        return [run for run in self.runs if not run["failed"]]

    @property
    def failed(self) -> list[Run]:
        """The runs that failed."""
        return [run for run in self.runs if run["failed"]]

    def spread(self, figure: Callable[[Run], float | None]) -> Spread | None:
        """The spread of ``figure`` over the runs that succeeded and have it."""
        return Spread.of(value for run in self.ok if (value := figure(run)) is not None)

    def by_round(self) -> dict[int, Run]:
        """The successful runs by round number."""
        return {run["round"]: run for run in self.ok}


def groups(runs: list[Run]) -> dict[tuple[str, str, int], Group]:
    """The runs grouped by (target, workload, connections)."""
    found: dict[tuple[str, str, int], list[Run]] = {}
    for run in runs:
        found.setdefault((run["target"], run["workload"], run["connections"]), []).append(run)
    return {key: Group(*key, runs) for key, runs in found.items()}


def ratio(numerator: Group | None, denominator: Group | None) -> Spread | None:
    """The throughput ratio of two groups, round by round, over the rounds both succeeded.

    Pairing by round compares runs made minutes apart under the same conditions; the median of
    the per-round ratios is then less exposed to drift than the ratio of two medians.
    """
    if numerator is None or denominator is None:
        return None
    tops, bottoms = numerator.by_round(), denominator.by_round()
    return Spread.of(
        tops[r]["requests_per_s"] / bottoms[r]["requests_per_s"]
        for r in sorted(tops.keys() & bottoms.keys())
        if bottoms[r]["requests_per_s"]
    )


def throughput(run: Run) -> float:
    """Requests (or pgbench transactions) per second."""
    return float(run["requests_per_s"])


def latency(name: str) -> Callable[[Run], float | None]:
    """A latency figure of a run, in ms: mean, p50, p90, p99, p99.9 or max."""
    return lambda run: run["latency_ms"].get(name)


def cpu_per_request(kind: str) -> Callable[[Run], float | None]:
    """CPU microseconds per request of service, postgres, loadgen or other."""
    return lambda run: run["cpu_us_per_request"].get(kind)


def peak_rss(run: Run) -> float | None:
    """The peak RSS of the service's process tree during the run, in bytes."""
    value = run.get("peak_rss_bytes")
    return float(value) if value else None


def little_ratio(run: Run) -> float | None:
    """Measured mean latency over the connections / throughput that Little's law predicts."""
    check = run.get("littles_law")
    return check["measured_over_predicted"] if check else None


def other_cores(run: Run) -> float | None:
    """The cores that the rest of the machine kept busy during the run, on average."""
    wall = run.get("wall_s") or run["duration_s"]
    return run["cpu_s"].get("other", 0.0) / wall if wall else None


def busy_cores(run: Run) -> float | None:
    """The cores the service, PostgreSQL and the load generator kept busy, on average."""
    wall = run.get("wall_s") or run["duration_s"]
    cpu = run["cpu_s"]
    return sum(cpu.get(k, 0.0) for k in ("service", "postgres", "loadgen")) / wall if wall else None

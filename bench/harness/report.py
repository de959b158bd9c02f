"""BENCHMARKS.md, written from results.json alone: the report can be rebuilt at any time."""

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness import ROOT
from harness.stats import (
    Group,
    Spread,
    busy_cores,
    cpu_per_request,
    groups,
    latency,
    little_ratio,
    other_cores,
    peak_rss,
    ratio,
    throughput,
)

CLAIM = (
    '"Gin 95,000 req/s at 1.2 ms and 25 MB; FastAPI 12,000 req/s at 8.5 ms and 85 MB, '
    'with 1,000 concurrent users"'
)
CLAIMED = {"gin": (95_000, 1.2, 25), "fastapi": (12_000, 8.5, 85)}
CLAIM_USERS = 1000

WORKLOAD_TITLES = {
    "get": "GET /users/{id}, random existing ids",
    "post": "POST /users, unique e-mails",
    "mix": "90% GET, 10% POST",
}

MB = 1e6


@dataclass(frozen=True)
class Goal:
    """A target of the issue: ``target``'s throughput at least ``floor`` times ``reference``'s.

    ``same_db_connections`` compares with the reference at the number of database connections
    the services open (pgbench, whose clients are its DB connections) instead of at the same
    client count.
    """

    text: str
    target: str
    reference: str
    workload: str
    floor: float
    same_db_connections: bool = False


GOALS = (
    Goal("FastAPI GET ≥ 0.85 × FastAPI + raw asyncpg", "fastapi", "fastapi-asyncpg", "get", 0.85),
    Goal("Gin GET ≥ 0.90 × net/http + pgx", "gin", "nethttp-pgx", "get", 0.90),
    Goal("Gin GET ≥ 0.20 × pgbench GET", "gin", "pgbench", "get", 0.20, same_db_connections=True),
    Goal("FastAPI POST ≥ 0.5 × pgbench INSERT", "fastapi", "pgbench", "post", 0.5, True),
    Goal("Gin POST ≥ 0.5 × pgbench INSERT", "gin", "pgbench", "post", 0.5, True),
)


class Report:
    """The sections of BENCHMARKS.md, each a method that returns its lines."""

    def __init__(self, results: dict[str, Any], chart: Path | None) -> None:
        self.results = results
        self.chart = chart
        self.plan = results["settings"]["plan"]
        self.groups = groups(results["runs"])
        self.labels = {name: t["label"] for name, t in results["targets"].items()}
        self.order = list(results["targets"])
        self.connections: list[int] = self.plan["connections"]
        self.pool: int = self.plan["db_connections"]

    def markdown(self) -> str:
        """The whole document."""
        sections = [
            self.head(),
            self.edits(),
            self.claim(),
            self.goals(),
            self.settings(),
            *(self.workload(name) for name in self.plan["workloads"]),
            self.services(),
            self.time_spent(),
            self.failures(),
            self.reading(),
        ]
        return (
            "\n".join(line for section in sections if section for line in [*section, ""]).rstrip()
            + "\n"
        )

    def head(self) -> list[str]:
        """Title, provenance, what the rows are."""
        r = self.results
        lines = [
            "# Benchmarks: FastAPI and Gin, re-measured",
            "",
            f"Written by `{r['command']}` from the run of {r['started_at']} "
            f"({r['elapsed_s'] / 60:.0f} min), {r['machine']['cores']} cores "
            f"({r['machine']['cpu_model']}). Raw results: "
            f"[{_rel(r['paths']['results'])}]({_rel(r['paths']['results'])}).",
        ]
        if self.chart:
            lines += ["", f"![Throughput and p99 latency against connections]({_rel(self.chart)})"]
        lines += [
            "",
            "Every figure is the median of the rounds, with the range in brackets. Rows marked "
            "*calibration* are not products: pgbench runs the services' SQL statements with no "
            "HTTP at all, and the two minimal servers under `bench/baselines/` answer the same "
            "requests with the same queries and server settings but none of the contract's checks. "
            "They are the floors that turn each service's figures into ratios.",
        ]
        if r["mode"] != "full":
            lines += ["", f"**This is a `{r['mode']}` run: its numbers mean nothing.**"]
        return lines

    def claim(self) -> list[str]:
        """The claim's own table, next to what this machine measures."""
        users = CLAIM_USERS if CLAIM_USERS in self.connections else max(self.connections)
        lines = [
            "## The claim, re-measured",
            "",
            f"The project grew out of the claim {CLAIM}. With a fixed number of users who each "
            "wait for an answer before they ask again, Little's law ties the three numbers "
            "together: users = throughput × mean latency. 1,000 users at 95,000 req/s means a "
            "mean latency of 1,000 / 95,000 s = 10.5 ms, not 1.2 ms; at 12,000 req/s it means "
            "83 ms, not 8.5 ms. The claimed figures cannot all hold at once.",
            "",
            f"Measured here: `GET /users/{{id}}`, one query per request, {users:,} connections, "
            f"{self._rounds()}. Latency is closed-loop (wrk); memory is the peak RSS of the "
            "service's whole process tree during the run.",
            "",
            "| Framework | Requests/sec | Avg Latency | Memory |",
            "| --- | ---: | ---: | ---: |",
        ]
        checks = []
        for name in ("gin", "fastapi"):
            if name not in self.labels:
                continue
            rate, mean, memory = CLAIMED[name]
            lines.append(f"| {self.labels[name]}, claimed | {rate:,} | {mean} ms | {memory} MB |")
            group = self.groups.get((name, "get", users))
            if group is None or not group.ok:
                lines.append(f"| {self.labels[name]}, measured | {self._failed(group)} | | |")
                continue
            x, w = group.spread(throughput), group.spread(latency("mean"))
            rss = group.spread(peak_rss)
            lines.append(
                f"| **{self.labels[name]}, measured** | **{_rate(x)}** | **{_ms(w)} ms** | "
                f"**{_mb(rss)} MB** |"
            )
            if x and w:
                checks.append(
                    f"{self.labels[name]}: {users:,} / {x.median:,.0f} req/s = "
                    f"{users / x.median * 1000:,.1f} ms predicted, {w.median:,.1f} ms measured"
                )
        lines += ["", "Little's law check of the measured rows: " + "; ".join(checks) + "."]
        return lines

    def goals(self) -> list[str]:
        """The issue's targets, as ratios measured in this one run."""
        header = " | ".join(f"c={c:,}" for c in self.connections)
        lines = [
            "## Targets",
            "",
            "Throughput ratios, round by round (the median of the per-round ratios, the range in "
            "brackets). A target is met at a connection count when the median ratio reaches it. "
            f"Against pgbench the reference is pgbench with {self.pool} clients: the same "
            "number of database connections as the services open (counted below, under "
            "Settings).",
            "",
            f"| target | {header} | verdict |",
            f"| --- | {' | '.join('---:' for _ in self.connections)} | --- |",
        ]
        for goal in GOALS:
            cells, met = [], []
            for c in self.connections:
                spread = self._goal_ratio(goal, c)
                if spread is None:
                    cells.append("n/a")
                    continue
                ok = spread.median >= goal.floor
                met.append(ok)
                cells.append(f"{'✅' if ok else '❌'} {_ratio(spread)}")
            lines.append(f"| {goal.text} | {' | '.join(cells)} | {_verdict(met)} |")
        return lines

    def settings(self) -> list[str]:
        """Machine, versions, PostgreSQL and harness settings."""
        r, s, p = self.results, self.results["settings"], self.plan
        machine = r["machine"]
        return [
            "## Settings",
            "",
            f"- Machine: {machine['cpu_model']}, {machine['cores']} cores, "
            f"{machine['memory_gib']} GiB, {machine['os']}, Linux {machine['kernel']}.",
            f"- Pinning: {s['pinning']}.",
            f"- Rounds: {p['rounds']}, interleaved (the order of the targets reverses every "
            f"round); {p['duration_s']:g} s per run, {p['pause_s']:g} s apart; every target "
            f"of every round starts from a reset table of {p['rows']:,} rows, vacuumed, "
            "analyzed and checkpointed.",
            f"- Services and baselines: started anew for every round, then {p['warmup_s']:g} s "
            f"of unmeasured 90/10 load on {p['warmup_connections']} connections; "
            f"LOG_LEVEL={p['log_level']}"
            + (f", DATABASE_POOL_SIZE={p['pool_size']}" if p["pool_size"] else "")
            + "; otherwise their own defaults.",
            f"- uvicorn: {s['uvicorn']}. GOMAXPROCS: {s['gomaxprocs']}.",
            f"- Database connections: {s['db_connections']}.",
            f"- Counted after every run (the most seen): {self._counts()}.",
            f"- Load: {s['load_generator']}; connections {', '.join(map(str, p['connections']))} "
            f"(pgbench: {', '.join(map(str, p['pgbench_connections']))}). Open files limit "
            f"{s['open_files_limit']:,}.",
            f"- A run with more than {s['max_error_rate']:.1%} errors (non-2xx, socket errors, "
            "timeouts, aborted pgbench clients) is reported as failed, not as a number.",
            "- PostgreSQL: a server of the benchmark's own, a local process on a fresh data "
            "directory in a temporary directory, over TCP on 127.0.0.1: "
            + ", ".join(f"{k} = {v}" for k, v in r["postgres_settings"].items())
            + ".",
            "",
            "| component | version |",
            "| --- | --- |",
            *(f"| {name} | {version} |" for name, version in r["versions"].items()),
        ]

    def workload(self, name: str) -> list[str]:
        """The full table of one workload: every target at every connection count."""
        lines = [
            f"## {WORKLOAD_TITLES[name]}",
            "",
            "| target | c | req/s | mean ms | p50 ms | p99 ms | mean ÷ (c/X) | CPU µs/req: "
            "service | PostgreSQL | load gen | peak RSS MB | cores busy | failed |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: "
            "| ---: |",
        ]
        for target in self.order:
            for key in sorted(k for k in self.groups if k[0] == target and k[1] == name):
                lines.append(self._row(self.groups[key]))
        lines += [
            "",
            "Latencies are closed-loop. *mean ÷ (c/X)* is the Little's law check: the measured "
            "mean over connections ÷ throughput; 1.00 means every connection always had a "
            "request in flight. *cores busy*: the CPU time of the service, PostgreSQL and the "
            "load generator over the run's wall time. *peak RSS*: the service's whole process "
            "tree, sampled during the run; a service runs every workload of its round in one "
            "life, so a run's RSS includes what earlier runs left allocated (the Go runtime "
            "returns freed memory to the kernel only slowly).",
        ]
        return lines

    def services(self) -> list[str]:
        """Startup, image size, lines of code, lifetime memory, per target."""
        lines = [
            "## Per service",
            "",
            "| target | startup, exec → first ready /readyz | image size | lines of code "
            "(code / all, files) | peak RSS over its lifetime |",
            "| --- | ---: | ---: | ---: | ---: |",
        ]
        for name, target in self.results["targets"].items():
            if name == "pgbench":
                continue
            startup = Spread.of(target["startup_s"])
            size = target["image_size_bytes"]
            loc = target["lines_of_code"]
            rss = Spread.of(target["lifetime_peak_rss_bytes"])
            lines.append(
                f"| {target['label']} | {_ms(_scaled(startup, 1000))} ms | "
                f"{f'{size / MB:.0f} MB' if size else 'no image built'} | "
                f"{loc['code']} / {loc['total']} ({loc['files']}) | {_mb(rss)} MB |"
            )
        lines += [
            "",
            "Lines of code leave out tests, blank lines, comments and docstrings; the claim "
            "counted ~45 for Gin and ~75 for FastAPI, for a toy without the contract. Peak RSS "
            "over the lifetime adds up VmHWM of every process of the tree, an upper bound.",
        ]
        return lines

    def time_spent(self) -> list[str]:
        """CPU per request, service against its baseline, at one connection count."""
        c = 64 if 64 in self.connections else self.connections[0]
        lines = [
            "## Where the time goes",
            "",
            f"CPU time per request at {c} connections (median µs): the portable figure, since on "
            "this machine the load generator and PostgreSQL take cores the service could "
            "otherwise use.",
            "",
            "| target | workload | service | PostgreSQL | load generator | all three |",
            "| --- | --- | ---: | ---: | ---: | ---: |",
        ]
        for target in self.order:
            for workload in self.plan["workloads"]:
                key = (target, workload, self.pool if target == "pgbench" else c)
                group = self.groups.get(key)
                if group is None or not group.ok:
                    continue
                parts = [
                    group.spread(cpu_per_request(k)) for k in ("service", "postgres", "loadgen")
                ]
                total = sum(p.median for p in parts if p)
                cells = " | ".join(f"{p.median:,.0f}" if p and p.median else "–" for p in parts)
                label = self.labels[target] + (f" (c={self.pool})" if target == "pgbench" else "")
                lines.append(f"| {label} | {workload} | {cells} | {total:,.0f} |")
        lines += ["", *self._differences(c)]
        return lines

    def failures(self) -> list[str]:
        """Every failed run, with its reason, and every restart of a service."""
        failed = [run for group in self.groups.values() for run in group.failed]
        lines = ["## Failed runs", ""]
        if not failed and not self.results["restarts"]:
            return [*lines, "None."]
        lines += [
            f"- round {run['round']}, {self.labels[run['target']]}, {run['workload']}, "
            f"c={run['connections']}: {run['failed']}"
            for run in failed
        ]
        lines += [f"- {restart}" for restart in self.results["restarts"]]
        return lines

    def edits(self) -> list[str]:
        """A warning for every target whose sources changed while the benchmark ran."""
        changed = [
            target["label"]
            for target in self.results["targets"].values()
            if len(set(target.get("source_digests", []))) > 1
        ]
        if not changed:
            return []
        return [
            f"**Warning: the sources of {', '.join(changed)} changed while the benchmark ran**, "
            "so its rounds did not all measure the same code (see `source_digests` in "
            "results.json).",
        ]

    def reading(self) -> list[str]:
        """How far to trust the numbers."""
        noise = Spread.of(v for run in self.results["runs"] if (v := other_cores(run)) is not None)
        noisy = [
            run
            for run in self.results["runs"]
            if (other_cores(run) or 0) > 0.25 and not run["failed"]
        ]
        return [
            "## How to read these numbers",
            "",
            "- **Closed loop.** wrk and pgbench send a connection's next request only when the "
            "previous one is answered, so a slow server is offered less work: the latencies are "
            "those of clients that wait, and real traffic arriving at the same rate would see "
            "longer tails.",
            "- **One small machine.** The service, PostgreSQL and the load generator share "
            f"{self.results['machine']['cores']} cores with no pinning. Throughput is what the "
            "three together reach; CPU per request is what carries over to other machines.",
            "- **Noise.** *other* is the CPU time the rest of the machine used during a run "
            "(kernel threads flushing the WAL, the harness itself, any other job): median "
            f"{noise.median if noise else 0:.2f} cores, at most {noise.high if noise else 0:.2f}; "
            f"{len(noisy)} successful runs had more than 0.25 cores of it. Before every run the "
            f"harness waits up to {self.plan['quiet_wait_s']:g} s for the machine to be quiet "
            f"({self.plan['quiet_budget_s']:g} s in all at most)"
            f"{self._waits()}. The interleaved rounds spread what noise is left over all "
            "targets; the ranges show it.",
            *self._wrk_correction(),
            "- **Fairness.** The baselines default to the services' pool sizes, worker counts "
            "and server settings, and every target gets the same log level; "
            "pgbench gets one connection per client, which is the point of it: the database "
            "alone, with no HTTP and no pool in front.",
        ]

    def _row(self, group: Group) -> str:
        label = self.labels[group.target]
        failed = f"{len(group.failed)} of {len(group.runs)}" if group.failed else "0"
        if not group.ok:
            return f"| {label} | {group.connections:,} | FAILED | | | | | | | | | | {failed} |"
        # Ranges for throughput and p99, the figures the chart shows; medians for the rest.
        cells = [
            _rate(group.spread(throughput)),
            _ms(_median(group.spread(latency("mean")))),
            _ms(_median(group.spread(latency("p50")))),
            _ms(group.spread(latency("p99"))),
            _plain(_median(group.spread(little_ratio))),
            *(
                _plain(_median(group.spread(cpu_per_request(kind))), 0)
                for kind in ("service", "postgres", "loadgen")
            ),
            _mb(_median(group.spread(peak_rss))),
            _plain(_median(group.spread(busy_cores))),
        ]
        return f"| {label} | {group.connections:,} | {' | '.join(cells)} | {failed} |"

    def _counts(self) -> str:
        counts = []
        for target in self.order:
            runs = [
                run
                for (name, _, _), group in self.groups.items()
                if name == target and name != "pgbench"
                for run in group.runs
            ]
            connections = [run["db_connections"] for run in runs if run.get("db_connections")]
            processes = [run["processes"] for run in runs if run.get("processes")]
            if connections and processes:
                trees = max(processes)
                counts.append(
                    f"{self.labels[target]}: {max(connections)} database connections, "
                    f"{trees} process{'es' if trees > 1 else ''}"
                )
        return "; ".join(counts) or "none"

    def _goal_ratio(self, goal: Goal, connections: int) -> Spread | None:
        reference_c = self.pool if goal.same_db_connections else connections
        return ratio(
            self.groups.get((goal.target, goal.workload, connections)),
            self.groups.get((goal.reference, goal.workload, reference_c)),
        )

    def _differences(self, c: int) -> list[str]:
        lines = []
        pairs = (("fastapi", "fastapi-asyncpg"), ("gin", "nethttp-pgx"))
        for product, baseline in pairs:
            for workload in self.plan["workloads"]:
                mine = self.groups.get((product, workload, c))
                floor = self.groups.get((baseline, workload, c))
                if not (mine and floor and mine.ok and floor.ok):
                    continue
                a = mine.spread(cpu_per_request("service"))
                b = floor.spread(cpu_per_request("service"))
                if not (a and b and a.median):
                    continue
                head = (
                    f"- {self.labels[product]}, {workload}: {a.median:,.0f} µs of service CPU per "
                    f"request against {b.median:,.0f} µs for {self.labels[baseline]}"
                )
                extra = a.median - b.median
                if extra <= 0:
                    lines.append(f"{head}: no more than the minimal server, within the noise.")
                    continue
                lines.append(
                    f"{head}: {extra:,.0f} µs ({extra / a.median:.0%} of the service's CPU) are "
                    "the price of the framework, its libraries and the contract's checks."
                )
        return lines

    def _wrk_correction(self) -> list[str]:
        runs = [
            run
            for run in self.results["runs"]
            if not run["failed"] and run.get("wrk_corrected_latency_ms") and run["latency_ms"]
        ]
        if not runs:
            return []
        worst = max(
            runs, key=lambda r: r["wrk_corrected_latency_ms"]["p99"] / r["latency_ms"]["p99"]
        )
        shown, printed = worst["latency_ms"]["p99"], worst["wrk_corrected_latency_ms"]["p99"]
        return [
            "- **Not wrk's own latencies.** wrk adds phantom samples to its histogram for every "
            "slow one (its correction for coordinated omission) before it prints anything; the "
            "harness undoes that (bench/users.lua) and reports what the requests experienced. "
            f"The largest difference: {self.labels[worst['target']]}, {worst['workload']}, "
            f"c={worst['connections']:,}, round {worst['round']}: p99 {shown:,.1f} ms measured, "
            f"{printed:,.1f} ms as wrk would print it. results.json keeps both."
        ]

    def _waits(self) -> str:
        waits = self.results.get("quiet_waits_s", [])
        if not waits:
            return ", and never had to"
        return f"; it waited {len(waits)} times, {sum(waits):.0f} s in all"

    def _rounds(self) -> str:
        return f"median of {self.plan['rounds']} round{'s' if self.plan['rounds'] > 1 else ''}"

    @staticmethod
    def _failed(group: Group | None) -> str:
        return "not measured" if group is None else f"FAILED ({group.failed[0]['failed']})"


def write(results: dict[str, Any], path: Path, chart: Path | None) -> None:
    """Write BENCHMARKS.md for ``results`` to ``path``."""
    path.write_text(Report(results, chart).markdown())


def _rel(path: str | Path) -> str:
    target = Path(path).resolve()
    return str(target.relative_to(ROOT)) if target.is_relative_to(ROOT) else str(target)


def _verdict(met: list[bool]) -> str:
    if not met:
        return "not measured"
    if all(met):
        return "**met**"
    return f"**not met** ({sum(met)} of {len(met)})" if any(met) else "**not met**"


def _median(spread: Spread | None) -> Spread | None:
    if spread is None:
        return None
    return Spread(spread.median, spread.median, spread.median, 1)


def _scaled(spread: Spread | None, factor: float) -> Spread | None:
    if spread is None:
        return None
    return Spread(spread.median * factor, spread.low * factor, spread.high * factor, spread.count)


def _format(spread: Spread | None, fmt: Callable[[float], str]) -> str:
    if spread is None:
        return "–"
    if spread.count == 1 or spread.low == spread.high:
        return fmt(spread.median)
    return f"{fmt(spread.median)} [{fmt(spread.low)}–{fmt(spread.high)}]"


def _rate(spread: Spread | None) -> str:
    return _format(spread, lambda v: f"{v:,.0f}")


def _ms(spread: Spread | None) -> str:
    return _format(spread, lambda v: f"{v:,.1f}" if v >= 10 else f"{v:.2f}")


def _mb(spread: Spread | None) -> str:
    return _format(_scaled(spread, 1 / MB), lambda v: f"{v:,.0f}")


def _ratio(spread: Spread) -> str:
    return _format(spread, lambda v: f"{v:.2f}")


def _plain(spread: Spread | None, digits: int = 2) -> str:
    return _format(spread, lambda v: f"{v:,.{digits}f}")

"""The PNG: throughput and p99 latency against connections, per target and workload."""

from pathlib import Path
from typing import Any

import matplotlib as mpl

mpl.use("Agg")  # no display: the harness runs headless, in CI too

import matplotlib.pyplot as plt
from matplotlib.axes import Axes
from matplotlib.ticker import FuncFormatter

from harness.report import WORKLOAD_TITLES
from harness.stats import Group, Spread, groups, latency, throughput

# Colour, line style and marker: a colour per framework, solid for the service and dashed for
# its calibration baseline. Targets not listed (experiments) get black.
STYLES = {
    "fastapi": ("#1f77b4", "-", "o"),
    "fastapi-asyncpg": ("#1f77b4", "--", "s"),
    "gin": ("#2ca02c", "-", "o"),
    "nethttp-pgx": ("#2ca02c", "--", "s"),
    "pgbench": ("#7f7f7f", ":", "^"),
}
OTHER_STYLE = ("#000000", "-.", "x")

# Plain numbers on the log axes: 1,000 rather than 10^3.
PLAIN = FuncFormatter(lambda value, _: f"{value:,.0f}" if value >= 1 else f"{value:g}")


def draw(results: dict[str, Any], path: Path) -> None:
    """Write the chart of ``results`` to ``path``: a column per workload, two rows."""
    found = groups(results["runs"])
    workloads = results["settings"]["plan"]["workloads"]
    figure, axes = plt.subplots(
        2, len(workloads), figsize=(5.2 * len(workloads), 8.5), squeeze=False, sharex=True
    )
    for column, workload in enumerate(workloads):
        rate_axes, p99_axes = axes[0][column], axes[1][column]
        for name, target in results["targets"].items():
            series = sorted(
                (g for key, g in found.items() if key[0] == name and key[1] == workload),
                key=lambda g: g.connections,
            )
            style = STYLES.get(name, OTHER_STYLE)
            _plot(rate_axes, series, throughput, target["label"], style)
            _plot(p99_axes, series, latency("p99"), target["label"], style)

        rate_axes.set_title(WORKLOAD_TITLES[workload], fontsize=11)
        rate_axes.set_ylabel("requests per second, median and range (log)")
        p99_axes.set_ylabel("p99 latency, ms, closed-loop (log)")
        p99_axes.set_xlabel("connections (log)")
        for ax in (rate_axes, p99_axes):
            ax.set_xscale("log")
            ax.set_yscale("log")
            ax.yaxis.set_major_formatter(PLAIN)
            ticks = sorted({g.connections for g in found.values() if g.workload == workload})
            ax.set_xticks(ticks, [f"{t:,}" for t in ticks])
            ax.minorticks_off()
            ax.grid(visible=True, which="major", alpha=0.3)

    handles, labels = axes[0][0].get_legend_handles_labels()
    if handles:
        figure.legend(handles, labels, loc="lower center", ncol=min(len(labels), 5), frameon=False)
    machine = results["machine"]
    figure.suptitle(
        f"users API on {machine['cores']} cores ({machine['cpu_model']}), one query per request; "
        f"median of {results['settings']['plan']['rounds']} interleaved round(s)"
        + ("" if results["mode"] == "full" else f" — {results['mode']} run, numbers mean nothing"),
        fontsize=12,
    )
    figure.tight_layout(rect=(0, 0.05, 1, 0.96))
    figure.savefig(path, dpi=110)
    plt.close(figure)


def _plot(
    ax: Axes, series: list[Group], figure: Any, label: str, style: tuple[str, str, str]
) -> None:
    points = [(g.connections, s) for g in series if (s := g.spread(figure)) is not None]
    if not points:
        return
    xs = [c for c, _ in points]
    spreads: list[Spread] = [s for _, s in points]
    medians = [s.median for s in spreads]
    below = [s.median - s.low for s in spreads]
    above = [s.high - s.median for s in spreads]
    color, linestyle, marker = style
    ax.errorbar(
        xs,
        medians,
        yerr=[below, above],
        label=label,
        color=color,
        linestyle=linestyle,
        marker=marker,
        capsize=3,
        linewidth=1.6,
        markersize=5,
    )

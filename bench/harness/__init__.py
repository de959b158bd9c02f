"""The benchmark harness of ``make bench``: see bench/README.md."""

from pathlib import Path

# The root of the repository.
ROOT = Path(__file__).resolve().parents[2]
BENCH = ROOT / "bench"

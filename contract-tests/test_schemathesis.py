"""Schemathesis against each service: every phase, every check the document supports.

It generates requests from openapi.yaml (examples, coverage of each constraint's
edges, random fuzzing, and stateful create/read/update/delete chains through the
document's links) and fails on a 5xx, an undocumented status or content type, or
a body that breaks its schema.

One check is left out: ``positive_data_acceptance`` expects every request that
fits the schema to be accepted, but the document describes shapes only. A blank
name or an address outside the e-mail policy fits the schema and is still a 422:
those rules are CONTRACT.md's, pinned by the contract tests.
"""

import json
import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

from conftest import Service

MAX_EXAMPLES = os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "60")
SEED = os.environ.get("SCHEMATHESIS_SEED", "1")


def test_schemathesis_finds_no_failure(
    service: Service, tmp_path: Path, report_line: Callable[[str], None]
) -> None:
    har = tmp_path / "requests.har"
    command = [
        shutil.which("schemathesis") or "schemathesis",
        "run",
        f"{service.base_url}/openapi.json",
        "--phases=examples,coverage,fuzzing,stateful",
        "--checks=all",
        "--exclude-checks=positive_data_acceptance",
        f"--max-examples={MAX_EXAMPLES}",
        f"--seed={SEED}",
        "--request-timeout=10",
        "--generation-database=none",
        "--no-color",
        "--report=har",
        f"--report-har-path={har}",
    ]

    result = subprocess.run(command, capture_output=True, text=True, check=False)

    sent = len(json.loads(har.read_text())["log"]["entries"]) if har.exists() else 0
    report_line(f"schemathesis: {sent} requests to {service.name} (seed {SEED})")
    assert result.returncode == 0, result.stdout[-20000:] + result.stderr[-5000:]

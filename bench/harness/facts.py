"""The facts a report must state: machine, versions, and the size of each service."""

import ast
import contextlib
import hashlib
import importlib.metadata
import os
import platform
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

from harness import ROOT
from harness.targets import Target

PYTHON_PACKAGES = (
    "fastapi",
    "starlette",
    "uvicorn",
    "uvloop",
    "httptools",
    "pydantic",
    "databases",
    "sqlalchemy",
    "asyncpg",
)
GO_MODULES = ("github.com/gin-gonic/gin", "github.com/jackc/pgx/v5")


def machine() -> dict[str, Any]:
    """CPU, cores, memory, kernel."""
    cpuinfo = Path("/proc/cpuinfo").read_text()
    model = re.search(r"^model name\s*:\s*(.*)$", cpuinfo, re.MULTILINE)
    meminfo = Path("/proc/meminfo").read_text()
    memory = re.search(r"^MemTotal:\s*(\d+) kB", meminfo, re.MULTILINE)
    return {
        "cpu_model": model.group(1) if model else platform.processor(),
        "cores": os.cpu_count(),
        "memory_gib": round(int(memory.group(1)) / 2**20, 1) if memory else None,
        "kernel": platform.release(),
        "os": _os_release(),
    }


def versions(pg_bindir: Path) -> dict[str, str]:
    """Versions of everything on the path of a request."""
    found = {"python": platform.python_version()}
    for package in PYTHON_PACKAGES:
        with contextlib.suppress(importlib.metadata.PackageNotFoundError):
            found[package] = importlib.metadata.version(package)
    found["go"] = _output(["go", "env", "GOVERSION"])
    go_mod = (ROOT / "go-gin" / "go.mod").read_text()
    for module in GO_MODULES:
        if match := re.search(rf"^\s*{re.escape(module)} (v\S+)", go_mod, re.MULTILINE):
            found[module.removeprefix("github.com/")] = match.group(1)
    found["wrk"] = _output(["wrk", "-v"]).split(" Copyright")[0]
    found["pgbench"] = _output([str(pg_bindir / "pgbench"), "--version"])
    found["postgres"] = _output([str(pg_bindir / "postgres"), "--version"])
    return found


def lines_of_code(target: Target) -> dict[str, int]:
    """Lines of the target's own source, tests and generated files excluded.

    ``code`` leaves out blank lines, comments and (in Python) docstrings, which Go writes as
    comments; ``total`` is every line of every file.
    """
    files = sorted(
        path
        for pattern in target.sources
        for path in ROOT.glob(pattern)
        if not path.name.endswith("_test.go")
    )
    total = code = 0
    for path in files:
        text = path.read_text()
        lines = text.splitlines()
        total += len(lines)
        skipped = _docstring_lines(text) if path.suffix == ".py" else set()
        comment = "#" if path.suffix == ".py" else "//"
        code += sum(
            1
            for number, line in enumerate(lines, start=1)
            if line.strip() and not line.strip().startswith(comment) and number not in skipped
        )
    return {"files": len(files), "total": total, "code": code}


def sources_digest(target: Target) -> str:
    """A short hash of the target's source files, to tell whether they changed mid-run."""
    digest = hashlib.sha256()
    for path in sorted(path for pattern in target.sources for path in ROOT.glob(pattern)):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]


def image_size(tag: str | None) -> int | None:
    """The size in bytes of the image ``tag`` if Docker answers and has it, else None."""
    if tag is None or shutil.which("docker") is None:
        return None
    try:
        result = subprocess.run(
            ["docker", "image", "inspect", "--format", "{{.Size}}", tag],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return None
    return int(result.stdout) if result.returncode == 0 and result.stdout.strip() else None


def _docstring_lines(source: str) -> set[int]:
    lines: set[int] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            first = node.body[0] if node.body else None
            if (
                isinstance(first, ast.Expr)
                and isinstance(first.value, ast.Constant)
                and isinstance(first.value.value, str)
            ):
                lines.update(range(first.lineno, (first.end_lineno or first.lineno) + 1))
    return lines


def _os_release() -> str:
    with contextlib.suppress(FileNotFoundError):
        text = Path("/etc/os-release").read_text()
        if match := re.search(r'^PRETTY_NAME="?([^"\n]*)"?$', text, re.MULTILINE):
            return match.group(1)
    return platform.platform()


def _output(command: list[str]) -> str:
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=30, check=False)
    except (FileNotFoundError, subprocess.TimeoutExpired):
        return "not found"
    # wrk -v exits with 1 after printing its version.
    if result.returncode not in (0, 1):
        return "?"
    return (result.stdout or result.stderr).strip().splitlines()[0]

"""The one OpenAPI document: load it, and copy it into both services.

openapi.yaml at the repository root is the source, written by hand. Each service
serves a JSON copy (and the same /docs page) from its own folder, so that it still
works when copied out of the monorepo:

    uv run python contract-tests/openapi.py          # write the copies
    uv run python contract-tests/openapi.py --check  # fail if a copy is stale
"""

import json
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "openapi.yaml"
SERVICE_DIRS = [
    ROOT / "python-fastapi" / "src" / "users_api",
    ROOT / "go-gin" / "internal" / "httpapi",
]

# Swagger UI from a CDN, as FastAPI's own /docs does: the services carry no JavaScript.
DOCS_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Users API</title>
<link rel="stylesheet" href="https://cdn.jsdelivr.net/npm/swagger-ui-dist@5/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="https://cdn.jsdelivr.net/npm/swagger-ui-dist@5/swagger-ui-bundle.js"></script>
<script>SwaggerUIBundle({url: "/openapi.json", dom_id: "#swagger-ui"});</script>
</body>
</html>
"""


def load() -> dict[str, Any]:
    """The document, parsed."""
    document: dict[str, Any] = yaml.safe_load(SOURCE.read_text(encoding="utf-8"))
    return document


def copies() -> dict[Path, str]:
    """Every file the services serve, with the text it must hold."""
    document = json.dumps(load(), indent=2, ensure_ascii=False) + "\n"
    files = {}
    for directory in SERVICE_DIRS:
        files[directory / "openapi.json"] = document
        files[directory / "docs.html"] = DOCS_PAGE
    return files


def main(argv: list[str]) -> int:
    """Write the copies, or with --check report the stale ones."""
    stale = [path for path, text in copies().items() if not _holds(path, text)]
    if "--check" in argv:
        for path in stale:
            print(f"{path.relative_to(ROOT)} is stale: run `make openapi`", file=sys.stderr)
        return 1 if stale else 0

    for path, text in copies().items():
        path.write_text(text, encoding="utf-8")
    return 0


def _holds(path: Path, text: str) -> bool:
    return path.exists() and path.read_text(encoding="utf-8") == text


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

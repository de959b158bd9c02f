# The benchmark's targets, included by the root Makefile (`include bench/bench.mk`, at its end).
# See bench/README.md for what is measured and why.

BIN ?= $(CURDIR)/.bin
MIGRATE ?= $(BIN)/migrate
GIN_BINARY ?= $(BIN)/users-gin
UV_RUN ?= uv run --locked
BENCH_BASELINE_BINARY := $(BIN)/bench-nethttp-pgx
export BENCH_BASELINE_BINARY

# wrk and PostgreSQL's server come from Debian's packages. Installed only when missing, and only
# as root (CI is); anyone else is told what to install.
.PHONY: bench-deps
bench-deps:
	@missing=""; \
	command -v wrk >/dev/null || missing="$$missing wrk"; \
	ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || command -v postgres >/dev/null \
		|| [ -n "$${BENCH_PG_BINDIR:-}" ] || missing="$$missing postgresql"; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" != 0 ]; then echo "bench needs:$$missing (apt-get install)" >&2; exit 1; fi; \
		echo "installing:$$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
			apt-get install -y -qq --no-install-recommends $$missing; \
	fi

.PHONY: bench-binaries
bench-binaries: $(MIGRATE)
	cd go-gin && go build -o $(GIN_BINARY) ./cmd/server
	cd bench/baselines/nethttp_pgx && go build -o $(BENCH_BASELINE_BINARY) .

.PHONY: bench
bench: bench-deps bench-binaries ## Measure both services, baselines and pgbench (~35 min): BENCHMARKS.md
	uv sync --locked --all-packages
	cd bench && $(UV_RUN) python -m harness run

.PHONY: bench-smoke
bench-smoke: bench-deps bench-binaries ## Every benchmark step for a second (~30 s in all), for CI; asserts no speed
	uv sync --locked --all-packages
	cd bench && $(UV_RUN) python -m harness run --smoke

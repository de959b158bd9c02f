# One users API, twice. `make` alone lists the targets.

.DEFAULT_GOAL := help
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c

# Tools built from the Go module proxy into .bin/, pinned here.
MIGRATE_VERSION := v4.20.1
GOLANGCI_LINT_VERSION := v2.15.0
BIN := $(CURDIR)/.bin
MIGRATE := $(BIN)/migrate
GOLANGCI_LINT := $(BIN)/golangci-lint
GIN_BINARY := $(BIN)/users-gin

UV_RUN := uv run --locked
export MIGRATE GIN_BINARY

.PHONY: help
help: ## List the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | \
		awk -F ':.*## ' '{ printf "  %-20s %s\n", $$1, $$2 }'

# --- setting up --------------------------------------------------------------

.PHONY: tools
tools: $(MIGRATE) $(GOLANGCI_LINT) ## Build golang-migrate and golangci-lint into .bin/

$(MIGRATE):
	GOBIN=$(BIN) go install -tags postgres \
		github.com/golang-migrate/migrate/v4/cmd/migrate@$(MIGRATE_VERSION)

$(GOLANGCI_LINT):
	GOBIN=$(BIN) go install \
		github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(GOLANGCI_LINT_VERSION)

.PHONY: sync
sync: ## Install the Python dependencies from uv.lock
	uv sync --locked --all-packages

.PHONY: gin-binary
gin-binary: ## Build the Gin service into .bin/users-gin
	cd go-gin && go build -o $(GIN_BINARY) ./cmd/server

# --- running -----------------------------------------------------------------

.PHONY: run
run: sync tools ## Run both services side by side (:8000 FastAPI, :8080 Gin) on one database
	$(UV_RUN) python contract-tests/stack.py

.PHONY: run-python
run-python: sync ## Run the FastAPI service against DATABASE_URL (PORT, default 8000)
	cd python-fastapi && $(UV_RUN) python -m users_api

.PHONY: run-go
run-go: ## Run the Gin service against DATABASE_URL (PORT, default 8080)
	cd go-gin && go run ./cmd/server

.PHONY: migrate
migrate: $(MIGRATE) ## Apply db/migrations to DATABASE_URL
	@test -n "$${DATABASE_URL:-}" || { echo "DATABASE_URL is not set" >&2; exit 1; }
	$(MIGRATE) -path db/migrations -database "$$DATABASE_URL" up

# --- checking ----------------------------------------------------------------

.PHONY: lint
lint: sync $(GOLANGCI_LINT) ## ruff, ruff format --check, mypy --strict, gofmt, go vet, golangci-lint
	$(UV_RUN) ruff check .
	$(UV_RUN) ruff format --check .
	cd python-fastapi && $(UV_RUN) mypy --strict src tests
	$(UV_RUN) mypy --strict contract-tests
	@unformatted=$$(gofmt -l go-gin); \
		if [ -n "$$unformatted" ]; then echo "gofmt: $$unformatted" >&2; exit 1; fi
	cd go-gin && go vet ./...
	cd go-gin && $(GOLANGCI_LINT) run ./...

.PHONY: fmt
fmt: sync ## Format and autofix both codebases
	$(UV_RUN) ruff check --fix .
	$(UV_RUN) ruff format .
	gofmt -w go-gin

.PHONY: test-python
test-python: sync tools ## The FastAPI service's own tests
	cd python-fastapi && $(UV_RUN) pytest

.PHONY: test-go
test-go: ## The Gin service's own tests
	cd go-gin && go test -race -count=1 ./...

.PHONY: test-contract
test-contract: sync tools gin-binary ## The contract suite against both services
	cd contract-tests && $(UV_RUN) pytest

.PHONY: test-all
test-all: lint test-python test-go test-contract ## Everything: lint, both unit suites, the contract suite

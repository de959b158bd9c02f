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

# --- containers --------------------------------------------------------------

# The images' names. docker-compose.yml defaults to the same ones, and the contract suite runs a
# service from its image when FASTAPI_IMAGE or GIN_IMAGE is set (test-contract sets both).
FASTAPI_IMAGE ?= fastapi-vs-gin/python-fastapi
GIN_IMAGE ?= fastapi-vs-gin/go-gin
MIGRATE_IMAGE ?= fastapi-vs-gin/migrate

# `docker compose`, v2. Debian's docker.io has none: `make compose-cli` builds it into .bin/,
# then COMPOSE=.bin/docker-compose. v2.28.1, because from v2.35 on its go.mod has exclude
# directives, which `go install` refuses.
COMPOSE ?= docker compose
COMPOSE_VERSION := v2.28.1
DOCKER_COMPOSE := $(BIN)/docker-compose

# `--build-arg NAME` without a value passes NAME from the environment when it is set there and
# keeps the Dockerfile's default, an official image, when it is not. CI sets PYTHON_IMAGE and
# GOLANG_IMAGE to images it builds locally; nobody else needs to.
.PHONY: images image-fastapi image-gin image-migrate
images: image-fastapi image-gin image-migrate ## Build the images: both services and the migrations

image-fastapi:
	docker build --build-arg PYTHON_IMAGE -f python-fastapi/Dockerfile -t $(FASTAPI_IMAGE) .

image-gin:
	docker build --build-arg GOLANG_IMAGE -t $(GIN_IMAGE) go-gin

image-migrate:
	docker build --build-arg GOLANG_IMAGE --build-arg MIGRATE_VERSION=$(MIGRATE_VERSION) \
		-t $(MIGRATE_IMAGE) db

.PHONY: up
up: ## Build and start the stack in containers (:8000, :8080); needs POSTGRES_PASSWORD
	$(COMPOSE) up --build --detach --wait

# Compose checks every variable of the file for every command, even those that use no password.
.PHONY: down
down: ## Stop the stack; its database stays in its volume
	POSTGRES_PASSWORD="$${POSTGRES_PASSWORD:-unused}" $(COMPOSE) down

.PHONY: logs
logs: ## Follow the logs of the stack
	POSTGRES_PASSWORD="$${POSTGRES_PASSWORD:-unused}" $(COMPOSE) logs --follow

.PHONY: compose-cli
compose-cli: $(DOCKER_COMPOSE) ## Build docker compose v2 into .bin/, for a Docker without it

$(DOCKER_COMPOSE):
	GOBIN=$(BIN)/compose go install \
		-ldflags="-s -w -X github.com/docker/compose/v2/internal.Version=$(COMPOSE_VERSION)" \
		github.com/docker/compose/v2/cmd@$(COMPOSE_VERSION)
	mv $(BIN)/compose/cmd $@
	rmdir $(BIN)/compose

# --- the OpenAPI document ----------------------------------------------------

.PHONY: openapi
openapi: sync ## Copy openapi.yaml into both services as the /openapi.json they serve
	$(UV_RUN) python contract-tests/openapi.py

# --- checking ----------------------------------------------------------------

.PHONY: lint
lint: sync $(GOLANGCI_LINT) ## ruff, ruff format --check, mypy --strict, gofmt, go vet, golangci-lint
	$(UV_RUN) python contract-tests/openapi.py --check
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
test-contract: sync tools image-fastapi image-gin ## The contract suite against both services' images
	cd contract-tests && FASTAPI_IMAGE=$(FASTAPI_IMAGE) GIN_IMAGE=$(GIN_IMAGE) $(UV_RUN) pytest

.PHONY: test-contract-local
test-contract-local: sync tools gin-binary ## The contract suite against both services as processes
	cd contract-tests && env -u FASTAPI_IMAGE -u GIN_IMAGE $(UV_RUN) pytest

.PHONY: test-all
test-all: lint test-python test-go test-contract ## Everything: lint, both unit suites, the contract suite

# --- measuring ---------------------------------------------------------------

# bench and bench-smoke: see bench/README.md.
include bench/bench.mk

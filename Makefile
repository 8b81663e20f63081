# Crucible's developer tasks. Tests need a PostgreSQL server: DATABASE_URL,
# a Docker engine, or local PostgreSQL binaries (see docs/testing.md).

SHELL       := bash
.SHELLFLAGS := -euo pipefail -c

GO          ?= go
PKGS        ?= ./...
TIMEOUT     ?= 8m
ROUNDS      ?= 6
BENCHTIME   ?= 1s
BENCH       ?= .*
BENCHOUT    ?= bench.out
FUZZTIME    ?= 20s

# Modules nested in this repository (each with its own go.mod), tested and
# linted from their directory along with the main module when PKGS is ./...
SUBMODULES  ?= $(if $(filter ./...,$(PKGS)),dialect/postgres/pgtest/pgdocker)

# The race detector needs cgo (a C compiler); without one, test without it.
RACE        ?= $(shell [ "$$($(GO) env CGO_ENABLED)" = 1 ] && echo -race)

STATICCHECK_VERSION ?= v0.8.2
BENCHSTAT_VERSION   ?= v0.0.0-20260908200009-22c9c6c9d4da
STATICCHECK ?= $(or $(shell command -v staticcheck),$(or $(shell $(GO) env GOBIN),$(shell $(GO) env GOPATH)/bin)/staticcheck)

# The suites run a second time behind PgBouncer (make test-pgbouncer).
PGBOUNCER_PKGS ?= ./orm/ ./migrate/
PGBOUNCER      ?= $(or $(shell command -v pgbouncer),$(wildcard /usr/sbin/pgbouncer))

.PHONY: all test test-pgbouncer test-replica lint bench fuzz cover demo staticcheck

all: lint test

## test: go vet, then every package's tests with the race detector.
test:
	$(GO) vet $(PKGS)
	@[ -n "$(RACE)" ] || echo "make test: cgo is off (no C compiler?), running without -race" >&2
	$(GO) test $(RACE) -count=1 -timeout $(TIMEOUT) $(PKGS)
	@for m in $(SUBMODULES); do echo "== $$m"; (cd $$m && $(GO) vet ./... && $(GO) test $(RACE) -count=1 -timeout $(TIMEOUT) ./...); done

## test-pgbouncer: the orm and migrate suites again, every connection through
## a PgBouncer in transaction pooling mode (pgx exec mode "exec"); skipped,
## saying so, without a pgbouncer binary (Debian: apt-get install pgbouncer).
test-pgbouncer:
	@if [ -z "$(PGBOUNCER)" ]; then echo "make test-pgbouncer: skipped: no pgbouncer on PATH or at /usr/sbin/pgbouncer (Debian: apt-get install pgbouncer)" >&2; exit 0; fi; \
	echo "CRUCIBLE_PGTEST_PGBOUNCER=transaction $(GO) test $(RACE) -count=1 -timeout $(TIMEOUT) $(PGBOUNCER_PKGS)"; \
	CRUCIBLE_PGTEST_PGBOUNCER=transaction $(GO) test $(RACE) -count=1 -timeout $(TIMEOUT) $(PGBOUNCER_PKGS)

## test-replica: the read replica tests, on a primary and a streaming
## replica started from the local binaries; without them they fail rather
## than skip.
test-replica:
	CRUCIBLE_PGTEST_FORCE=local $(GO) test $(RACE) -count=1 -timeout $(TIMEOUT) -run Replica ./orm/ ./dialect/postgres/pgtest/

## lint: gofmt, go vet and staticcheck must all be silent, and each go.mod tidy.
lint: staticcheck
	@out=$$(gofmt -l .); if [ -n "$$out" ]; then echo "gofmt -l: these files need gofmt:"; echo "$$out"; exit 1; fi
	@for m in . $(SUBMODULES); do (cd $$m && $(GO) mod tidy -diff >/dev/null) || { echo "$$m/go.mod is not tidy: run go mod tidy there (go mod tidy -diff shows what changes)"; (cd $$m && $(GO) mod tidy -diff); exit 1; }; done
	$(GO) vet $(PKGS)
	$(STATICCHECK) $(PKGS)
	@for m in $(SUBMODULES); do echo "== $$m"; (cd $$m && $(GO) vet ./... && $(STATICCHECK) ./...); done

staticcheck:
	@[ -x "$(STATICCHECK)" ] || $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)

## bench: ROUNDS interleaved rounds of BenchmarkCompare/<Workload>/impl={crucible,pgx}
## (BENCH selects workloads), benchstat's comparison, then the ratio table
## (median and range of the per-round ratios) written into README.md.
bench:
	GO=$(GO) ROUNDS=$(ROUNDS) BENCHTIME=$(BENCHTIME) BENCH='$(BENCH)' BENCHOUT=$(BENCHOUT) scripts/bench.sh
	@echo
	$(GO) run golang.org/x/perf/cmd/benchstat@$(BENCHSTAT_VERSION) -col /impl $(BENCHOUT)
	@echo
	$(GO) run ./scripts/benchtable -readme README.md $(BENCHOUT)

## fuzz: each Fuzz* target of schema, relation, dialect, orm and migrate for FUZZTIME.
fuzz:
	GO=$(GO) FUZZTIME=$(FUZZTIME) scripts/fuzz.sh

## cover: tests with coverage of all packages; per-function report in coverage.out.
cover:
	$(GO) test -count=1 -timeout $(TIMEOUT) -covermode=atomic -coverpkg=./... -coverprofile=coverage.out $(PKGS)
	@$(GO) tool cover -func=coverage.out | tail -n 1

## demo: the end-to-end demo in a fresh database of its own (on DATABASE_URL's server, else a throwaway one), dropped at the end.
demo:
	$(GO) run ./docs/demo

# Crucible's developer tasks. Tests need a PostgreSQL server: DATABASE_URL,
# a Docker engine, or local PostgreSQL binaries (see docs/testing.md).

SHELL       := bash
.SHELLFLAGS := -euo pipefail -c

GO          ?= go
PKGS        ?= ./...
TIMEOUT     ?= 8m
BENCHCOUNT  ?= 5
BENCHOUT    ?= bench.out
FUZZTIME    ?= 20s

# Modules nested in this repository (each with its own go.mod), tested and
# linted from their directory along with the main module when PKGS is ./...
SUBMODULES  ?= $(if $(filter ./...,$(PKGS)),dialect/postgres/pgtest/pgdocker)

# The race detector needs cgo (a C compiler); without one, test without it.
RACE        ?= $(shell [ "$$($(GO) env CGO_ENABLED)" = 1 ] && echo -race)

STATICCHECK_VERSION ?= v0.8.2
STATICCHECK ?= $(or $(shell command -v staticcheck),$(or $(shell $(GO) env GOBIN),$(shell $(GO) env GOPATH)/bin)/staticcheck)

.PHONY: all test lint bench fuzz cover demo staticcheck

all: lint test

## test: go vet, then every package's tests with the race detector.
test:
	$(GO) vet $(PKGS)
	@[ -n "$(RACE)" ] || echo "make test: cgo is off (no C compiler?), running without -race" >&2
	$(GO) test $(RACE) -count=1 -timeout $(TIMEOUT) $(PKGS)
	@for m in $(SUBMODULES); do echo "== $$m"; (cd $$m && $(GO) vet ./... && $(GO) test $(RACE) -count=1 -timeout $(TIMEOUT) ./...); done

## lint: gofmt, go vet and staticcheck must all be silent, and each go.mod tidy.
lint: staticcheck
	@out=$$(gofmt -l .); if [ -n "$$out" ]; then echo "gofmt -l: these files need gofmt:"; echo "$$out"; exit 1; fi
	@for m in . $(SUBMODULES); do (cd $$m && $(GO) mod tidy -diff >/dev/null) || { echo "$$m/go.mod is not tidy: run go mod tidy there (go mod tidy -diff shows what changes)"; (cd $$m && $(GO) mod tidy -diff); exit 1; }; done
	$(GO) vet $(PKGS)
	$(STATICCHECK) $(PKGS)
	@for m in $(SUBMODULES); do echo "== $$m"; (cd $$m && $(GO) vet ./... && $(STATICCHECK) ./...); done

staticcheck:
	@[ -x "$(STATICCHECK)" ] || $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)

## bench: BenchmarkCompare/<Workload>/{crucible,pgx}, then a crucible/pgx table.
bench:
	$(GO) test -run '^$$' -bench BenchmarkCompare -benchmem -count=$(BENCHCOUNT) -timeout 30m $(PKGS) | tee $(BENCHOUT)
	@echo
	@awk -f scripts/benchratio.awk $(BENCHOUT)

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

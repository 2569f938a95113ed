# haochaping — two commands from a fresh machine:
#   make run    set up PostgreSQL and Redis (installing them if absent), seed demo data, serve
#   make test   set up the same and run every test against the real servers
SHELL := /bin/bash
GO    ?= go
# go.mod names the toolchain (go1.26.11: the standard library's known vulnerabilities of
# go1.26.8 are fixed in it); auto lets an older installed go fetch it from the module proxy.
export GOTOOLCHAIN := auto
BIN   := ./haochaping
FUZZTIME ?= 3s

.PHONY: run test stop build devstack vet unit fuzz bench vulncheck screenshots clean faultrun faultrun-short scaleout ingestbench
# The fault run (scripts/faultrun.sh, docs/RELIABILITY.md): a short one in `make test`, a long
# one in `make faultrun`; rating requests per second, open loop.
FAULTRUN_SHORT ?= 45s
FAULTRUN_LONG  ?= 5m
FAULTRUN_RATE  ?= 20

build:
	$(GO) build -o $(BIN) ./cmd/haochaping

devstack:
	@scripts/devstack.sh up

# The demo history (50,000 ratings over 90 days) is loaded once, so that the dashboard and the
# inboxes have something to show; later runs keep it.
# The demo reports upward, in the Shandong format, to the provincial platform simulator it runs
# beside itself (docs/UPWARD.md), so that 及时上报率 counts what the simulator acknowledged.
UPWARD_SIMULATOR ?= 127.0.0.1:18090
run: devstack build
	@source .devstack/env && $(BIN) seed && $(BIN) demo --evaluations 50000 --days 90 --if-absent --quiet && \
	  HAOCHAPING_UPWARD_PROFILE=$${HAOCHAPING_UPWARD_PROFILE:-shandong} HAOCHAPING_UPWARD_TENANCY_ID=$${HAOCHAPING_UPWARD_TENANCY_ID:-370400} \
	  HAOCHAPING_UPWARD_URL=$${HAOCHAPING_UPWARD_URL:-http://$(UPWARD_SIMULATOR)/} HAOCHAPING_UPWARD_SIMULATOR=$${HAOCHAPING_UPWARD_SIMULATOR:-$(UPWARD_SIMULATOR)} \
	  exec $(BIN) all

test: devstack
	@source .devstack/env && $(MAKE) --no-print-directory vet unit fuzz vulncheck
	@$(MAKE) --no-print-directory faultrun-short

# On a private PostgreSQL and Redis of its own (never the dev stack's): restarts them and kills
# the worker under load, then `haochaping check --acks`.
faultrun-short:
	@scripts/faultrun.sh --duration $(FAULTRUN_SHORT) --rate $(FAULTRUN_RATE)

faultrun: devstack
	@scripts/faultrun.sh --duration $(FAULTRUN_LONG) --rate $(FAULTRUN_RATE)

# Scale-out on one machine (scripts/scaleout.sh, docs/SCALEOUT.md): 1 then 2 of each process
# against one private PostgreSQL and Redis, rounds alternating; not part of `make test`.
scaleout: devstack
	@scripts/scaleout.sh

# Ingest through HTTP beside the naive database rate, the database's cost per rating, and the
# open loop at 1,000/s (scripts/ingestbench.sh, docs/PERFORMANCE.md); not part of `make test`.
ingestbench: devstack
	@scripts/ingestbench.sh

vet:
	@test -z "$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))" || { echo "gofmt: these files need formatting:"; gofmt -l .; exit 1; }
	$(GO) vet ./...

unit:
	$(GO) test -race -count=1 ./...

# Each fuzz target briefly, from its checked-in seed corpus (testdata/fuzz).
fuzz:
	@scripts/fuzz.sh $(FUZZTIME)

bench: devstack
	@source .devstack/env && $(GO) test -run '^$$' -bench . -benchtime 1x ./...

# The pages' screenshots in docs/screenshots, retaken by the browser tests.
screenshots: devstack
	@source .devstack/env && HAOCHAPING_SCREENSHOTS=docs $(GO) test -count=1 ./web/...

# Known vulnerabilities of the code and its modules, from a database built offline.
vulncheck:
	@scripts/vulncheck.sh

stop:
	@scripts/devstack.sh stop

clean: stop
	rm -rf .devstack $(BIN)

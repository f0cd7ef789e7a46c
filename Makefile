# Tribune: `make run` serves the demo act on SQLite; `make test` runs everything CI runs.
GO ?= go
export CGO_ENABLED = 1
ADDR ?= 127.0.0.1:8080
DB ?= data/tribune.db
VERSION ?= $(shell git describe --always --dirty 2>/dev/null || echo dev)
# Store and cluster tests also run on PostgreSQL when one answers on 127.0.0.1:5432.
export TRIBUNE_TEST_POSTGRES ?= $(shell pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null && echo "postgres://postgres@127.0.0.1:5432/test?sslmode=disable")

.PHONY: build run test lint fmt clean frontend budget fuzz load

# The web UI is built first: go build embeds frontend/dist.
build: frontend
	$(GO) build -trimpath -ldflags "-X main.version=$(VERSION)" -o bin/tribune ./cmd/tribune

run: build
	@mkdir -p $(dir $(DB))
	./bin/tribune serve --demo --addr $(ADDR) --db $(DB)

# Tribune against the floor with 10,000 viewers on this machine: about six minutes.
# LOAD_FLAGS passes flags to tribune-load bench, e.g. LOAD_FLAGS="-viewers 2000 -json".
load: build
	$(GO) build -o bin/tribune-load ./cmd/tribune-load
	./bin/tribune-load bench -tribune bin/tribune $(LOAD_FLAGS)

# The browser tests (pkg/browsertest) drive Debian's chromium at /usr/bin/chromium.
test: lint frontend budget
	$(GO) test -race -count=1 ./...
	$(MAKE) fuzz

# Each fuzz target runs a bounded number of executions (FUZZTIME); seeds live in the
# tests. A count, not a duration: Go 1.26's fuzz coordinator can report a spurious
# "context deadline exceeded" when a duration ends on a busy machine (golang/go#75804).
FUZZTIME ?= 10000x
FUZZ_TARGETS = pkg/agenda:FuzzRunningOrder pkg/agenda:FuzzLiveActions pkg/httpapi:FuzzDecodeAndValidate pkg/httpapi:FuzzSince pkg/httpapi:FuzzApplication pkg/export:FuzzImportSpeakers
fuzz:
	@for t in $(FUZZ_TARGETS); do pkg=$${t%%:*}; name=$${t##*:}; \
		echo "fuzz $$name ($$pkg, $(FUZZTIME))"; \
		$(GO) test -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZTIME) ./$$pkg || exit 1; done

frontend:
	cd frontend && npm ci --no-audit --no-fund && npm run build

budget:
	node frontend/scripts/budget.mjs

lint:
	@out=$$(gofmt -l cmd pkg); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) tool staticcheck ./...

fmt:
	gofmt -w cmd pkg

clean:
	rm -rf bin frontend/node_modules
	find frontend/dist -mindepth 1 ! -name PLACEHOLDER -exec rm -rf {} +

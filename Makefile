# Ferry. `make run` and `make test` work on a fresh Debian machine: both
# install what they need first (apt packages need root or sudo).

export PATH := $(PATH):/usr/local/go/bin
GO       ?= go
BIN      ?= ferry
RECEIVED ?= $(CURDIR)/received
# No D-Bus session in tests and CI: keep libraries from starting one.
export DBUS_SESSION_BUS_ADDRESS ?= disabled:

# What the build and the tests need from Debian: a C toolchain for -race.
APT_PACKAGES := gcc libc6-dev

.PHONY: deps build headless test bench run clean

deps:
	@missing=$$(for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "Installing $$missing"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq --no-install-recommends $$missing; \
	fi
	@./scripts/install-go
	$(GO) mod download

build: deps
	$(GO) build -o $(BIN) .

# The headless binary: no cgo, no window, for servers and NAS boxes.
headless:
	CGO_ENABLED=0 $(GO) build -tags nogui -trimpath -ldflags="-s -w" -o $(BIN)-headless .

test: deps
	$(GO) vet ./...
	$(GO) test -race -timeout 20m ./...

# Figures, never a failing test: ferry upload against a raw PATCH.
bench: build
	$(GO) run ./tools/bench -ferry ./$(BIN)

# Until the window exists: the built-in receiver, into ./received.
run: build
	@mkdir -p $(RECEIVED)
	./$(BIN) serve --dir $(RECEIVED)

clean:
	rm -f $(BIN) $(BIN)-headless

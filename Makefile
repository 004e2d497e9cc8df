# Ferry. `make run` and `make test` work on a fresh Debian machine: both
# install what they need first (apt packages need root or sudo).

export PATH := $(PATH):/usr/local/go/bin
GO       ?= go
BIN      ?= ferry
# No D-Bus session in tests and CI: keep libraries from starting one.
export DBUS_SESSION_BUS_ADDRESS ?= disabled:

# What the build needs from Debian: a C toolchain (cgo, -race) and the
# X11/GL headers of Fyne's window; what the end-to-end test needs: a
# virtual display, a D-Bus session with a tray watcher, XDND and tray
# helpers, screenshots.
APT_PACKAGES := gcc libc6-dev pkg-config libgl1-mesa-dev libx11-dev libxcursor-dev \
	libxrandr-dev libxinerama-dev libxi-dev libxxf86vm-dev \
	xvfb xauth xdotool imagemagick python3-xlib dbus dbus-x11 python3-dbus \
	haskell-status-notifier-item-utils openbox
export LANG ?= en_US.UTF-8

.PHONY: deps build headless test lint e2e screenshot package windows test-windows e2e-windows bench run clean

deps:
	@missing=$$(for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "Installing $$missing"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq --no-install-recommends $$missing; \
	fi
	@# Node.js runs tus-js-client against the receiver (receiver/draft_test.go).
	@command -v npm >/dev/null || ./scripts/need nodejs npm
	@./scripts/install-go
	$(GO) mod download

build: deps
	$(GO) build -o $(BIN) .

# The headless binary: no cgo, no window, for servers and NAS boxes.
headless:
	CGO_ENABLED=0 $(GO) build -tags nogui -trimpath -ldflags="-s -w" -o $(BIN)-headless .

test: deps
	$(GO) vet ./...
	$(GO) vet -tags nogui ./...
	$(GO) test -race -timeout 20m ./...
	$(MAKE) e2e

# staticcheck with staticcheck.conf (Ferry's errors are sentences: ST1005
# is off).
lint:
	$(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2 ./...

# The real window under Xvfb: files dropped by XDND, the tray clicked over
# D-Bus, a second ferry handing files over, SIGTERM and a resumed restart.
e2e: build
	$(GO) run ./tools/e2e -ferry ./$(BIN)

# The real window with jobs in every state, as docs/screenshot.png (dark),
# and the set beside it: docs/screenshot-light.png, -dark, -compact,
# -800x600 and -1366x768-scale2 (whole screens, with openbox), and
# -destination-errors.
screenshot: export LANG := en_US.UTF-8
screenshot: build
	$(GO) run ./tools/e2e -ferry ./$(BIN) -screenshot docs/screenshot.png

# A Linux package (.tar.xz: binary, .desktop file, icon) in dist/.
package: deps
	./scripts/package

# Ferry for Windows, window included, built here with mingw: dist/windows/
# ferry.exe, dist/ferry-VERSION-windows-amd64.zip and .msi.
windows:
	./scripts/windows

# Every package's tests built for Windows and run under Wine.
test-windows:
	./scripts/test-windows

# The Windows build as a new user runs it, under Wine on Xvfb: the MSI
# installed, files through a cutting link, a hand-over, the session ended
# mid-upload, a restart; docs/screenshot-windows.png.
e2e-windows:
	./scripts/e2e-windows -screenshot docs/screenshot-windows.png

# Figures, never a failing test: ferry upload against a raw PATCH, and the
# window under Xvfb.
bench: build
	$(GO) run ./tools/bench -ferry ./$(BIN)
	$(GO) run ./tools/uibench -ferry ./$(BIN)

# The window; on first start its destination is the built-in receiver,
# into ~/Ferry/Received.
run: build
	@if [ -z "$$DISPLAY$$WAYLAND_DISPLAY" ]; then \
		echo "No display here (DISPLAY is not set), so the window cannot open: try ./$(BIN) serve to receive files and ./$(BIN) upload --to URL FILE to send them."; \
	else ./$(BIN); fi

clean:
	rm -f $(BIN) $(BIN)-headless

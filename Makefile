# polroute: build, test, benchmark and install.
SWIFT ?= swift
PREFIX ?= /usr/local
DESTDIR ?=
RELEASE_FLAGS = -c release --static-swift-stdlib

.PHONY: all build example test record-golden bench install clean

all: build

# The release binary: statically linked Swift runtime, so it starts in ~2 ms and needs no toolchain to run.
build:
	$(SWIFT) build $(RELEASE_FLAGS)

# The README's first command: plan the bundled dual-homed example, no root needed.
example: build
	$$($(SWIFT) build $(RELEASE_FLAGS) --show-bin-path)/polroute plan --state Examples/dual-homed-server/state.json

# Unit, golden and CLI tests always; live tests (real ip, ifup, shellcheck in network namespaces) as root.
test:
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

# Rewrites the golden files under Tests/Scenarios on purpose; the run fails so a re-record is never silent.
record-golden:
	RECORD_GOLDEN=1 $(SWIFT) test --filter Golden

bench: build
	./bench/run $$($(SWIFT) build $(RELEASE_FLAGS) --show-bin-path)/polroute

install: build
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 0755 $$($(SWIFT) build $(RELEASE_FLAGS) --show-bin-path)/polroute $(DESTDIR)$(PREFIX)/bin/polroute

clean:
	rm -rf .build

# polroute: build, test, benchmark and install.
SWIFT ?= swift
PREFIX ?= /usr/local
DESTDIR ?=
# A fully static executable: it starts in ~1.3 ms (0.85 ms of it is the kernel's exec), and one file runs on any
# Linux distribution, which suits the hosts polroute is provisioned onto. (glibc warns about name-service lookups
# in static programs; polroute makes none.)
RELEASE_FLAGS = -c release --static-swift-stdlib -Xswiftc -static-executable

.PHONY: all build example test record-golden bench fuzz install clean

all: build

# The release binary.
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

# Benchmarks (root: they build hosts in network namespaces): polroute against the iproute2 commands it runs, side by
# side, printed as a table and written to bench/results.json. See bench/README.md; BENCH_ARGS="--only 1,6 --runs 3".
BENCH_ARGS ?=
bench: build
	$(SWIFT) build -c release --package-path bench
	$$($(SWIFT) build -c release --package-path bench --show-bin-path)/polroute-bench \
	  $$($(SWIFT) build $(RELEASE_FLAGS) --show-bin-path)/polroute --output bench/results.json $(BENCH_ARGS)

# Coverage-guided fuzzing (libFuzzer through swiftc) of the policy parsers, the `ip -j` decoders and the snapshot
# loader, each target for FUZZ_SECONDS; see Tests/Fuzz/README.md. CI runs it briefly after the tests.
FUZZ_SECONDS ?= 60
fuzz:
	Tests/Fuzz/fuzz.sh $(FUZZ_SECONDS)

install: build
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 0755 $$($(SWIFT) build $(RELEASE_FLAGS) --show-bin-path)/polroute $(DESTDIR)$(PREFIX)/bin/polroute

clean:
	rm -rf .build bench/.build

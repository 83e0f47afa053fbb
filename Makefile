# polroute: build, test, benchmark, install and package.
SWIFT ?= swift
PREFIX ?= /usr/local
DESTDIR ?=
# A fully static executable: it starts in ~1.3 ms (0.85 ms of it is the kernel's exec), and one file runs on any
# Linux distribution, which suits the hosts polroute is provisioned onto. (glibc warns about name-service lookups
# in static programs; polroute makes none.)
RELEASE_FLAGS = -c release --static-swift-stdlib -Xswiftc -static-executable
# Only the executable: the tests' support target imports Testing, which has no static build to link.
RELEASE_PRODUCT = --product polroute

# Where 'make install' puts each kind of file; each can be overridden on its own.
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
BASHCOMPLETIONDIR ?= $(PREFIX)/share/bash-completion/completions
# Debian's zsh reads packages' completions from /usr/share/zsh/vendor-completions, and site-functions elsewhere.
ZSHCOMPLETIONDIR ?= $(PREFIX)/share/zsh/$(if $(filter /usr,$(PREFIX)),vendor-completions,site-functions)
FISHCOMPLETIONDIR ?= $(PREFIX)/share/fish/vendor_completions.d
# systemd reads packages' units from /lib/systemd/system (Debian 12's packages put them there), local ones from
# PREFIX/lib/systemd/system.
SYSTEMDUNITDIR ?= $(if $(filter /usr,$(PREFIX)),/lib/systemd/system,$(PREFIX)/lib/systemd/system)
# The network managers' hooks (docs/hooks) go where each manager reads them, whatever PREFIX is: /etc, and the
# directory dhcpcd was built to read (Debian's).
SYSCONFDIR ?= /etc
DHCPCDHOOKDIR ?= /usr/lib/dhcpcd/dhcpcd-hooks

# The executable to install or package. Left empty, the release executable is built first.
POLROUTE_BIN ?=
BIN = $(or $(POLROUTE_BIN),.build/release/polroute)
BIN_PREREQUISITE = $(if $(POLROUTE_BIN),,build)

# Everything 'make install' installs and 'make uninstall' removes, one MODE:SOURCE:DESTINATION a line. A hook or a
# systemd unit is one more line here.
INSTALL_FILES = \
  0755:$(BIN):$(BINDIR)/polroute \
  0644:docs/man/polroute.8:$(MANDIR)/man8/polroute.8 \
  0644:docs/man/polroute.conf.5:$(MANDIR)/man5/polroute.conf.5 \
  0644:docs/completions/polroute.bash:$(BASHCOMPLETIONDIR)/polroute \
  0644:docs/completions/_polroute:$(ZSHCOMPLETIONDIR)/_polroute \
  0644:docs/completions/polroute.fish:$(FISHCOMPLETIONDIR)/polroute.fish \
  0644:$(UNIT_BUILD):$(SYSTEMDUNITDIR)/polroute.service \
  0644:$(dir $(UNIT_BUILD))polroute-watch.service:$(SYSTEMDUNITDIR)/polroute-watch.service \
  0755:docs/hooks/ifupdown:$(SYSCONFDIR)/network/if-up.d/polroute \
  0755:docs/hooks/ifupdown:$(SYSCONFDIR)/network/if-post-down.d/polroute \
  0755:docs/hooks/networkmanager:$(SYSCONFDIR)/NetworkManager/dispatcher.d/90-polroute \
  0755:docs/hooks/networkd-dispatcher:$(SYSCONFDIR)/networkd-dispatcher/routable.d/50-polroute \
  0755:docs/hooks/networkd-dispatcher:$(SYSCONFDIR)/networkd-dispatcher/off.d/50-polroute \
  0644:docs/hooks/dhclient:$(SYSCONFDIR)/dhcp/dhclient-exit-hooks.d/polroute \
  0644:docs/hooks/dhcpcd:$(DHCPCDHOOKDIR)/62-polroute

# The boot unit with BINDIR filled in, made by 'install' in a directory of its own for each BINDIR (runs with
# different BINDIRs may run at once).
UNIT_BUILD = .build/unit/$(subst /,_,$(BINDIR))/polroute.service

# The Debian package: its version is polroute's own, its files what 'make install' installs under /usr.
VERSION = $(shell sed -n 's/.*static let current = "\(.*\)"/\1/p' Sources/PolrouteCore/Diagnostics/Version.swift)
DEB_ARCH = $(shell dpkg --print-architecture 2>/dev/null)
DEBDIR ?= .build/deb
DEB = $(DEBDIR)/polroute_$(VERSION)_$(DEB_ARCH).deb

.PHONY: all build example test test-deps record-golden docs bench fuzz soak install uninstall deb clean

all: build

# The release binary.
build:
	$(SWIFT) build $(RELEASE_FLAGS) $(RELEASE_PRODUCT)

# The README's first command: plan the bundled dual-homed example, no root needed.
example: build
	$$($(SWIFT) build $(RELEASE_FLAGS) --show-bin-path)/polroute plan --state Examples/dual-homed-server/state.json

# Unit, golden and CLI tests always; live tests (real ip, ifup, shellcheck in network namespaces) as root. A test
# whose program is missing is skipped and says what to install (with CI=true it fails). The release executable is
# built too, for the tests of 'make install' and 'make deb'.
test:
	$(SWIFT) build --build-tests
	$(SWIFT) build $(RELEASE_FLAGS) $(RELEASE_PRODUCT)
	POLROUTE_RELEASE_BINARY="$(CURDIR)/.build/release/polroute" $(SWIFT) test --skip-build

# Installs every program the tests run (Tests/tools.txt) with apt-get; needs root.
test-deps:
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends \
	  $$(awk '!/^#/ && NF >= 2 { print $$NF }' Tests/tools.txt | sort -u)

# Rewrites the golden files under Tests/Scenarios on purpose; the run fails so a re-record is never silent.
record-golden:
	RECORD_GOLDEN=1 $(SWIFT) test --filter Golden

# Regenerates the manual pages (docs/man) and shell completions (docs/completions) from the command table; a test
# fails while the committed files differ.
docs:
	$(SWIFT) build --product polroute
	bin=$$($(SWIFT) build --show-bin-path)/polroute && \
	  $$bin manual polroute > docs/man/polroute.8 && \
	  $$bin manual polroute.conf > docs/man/polroute.conf.5 && \
	  $$bin completion bash > docs/completions/polroute.bash && \
	  $$bin completion zsh > docs/completions/_polroute && \
	  $$bin completion fish > docs/completions/polroute.fish

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

# SOAK_CYCLES apply/rollback cycles in a network namespace (as root), each checked, then the figures (time per cycle,
# memory, descriptors, files left); not part of `make test`. See Tests/LiveTests/SoakLiveTests.swift.
SOAK_CYCLES ?= 1000
soak:
	$(SWIFT) build --build-tests
	POLROUTE_SOAK_CYCLES=$(SOAK_CYCLES) $(SWIFT) test --skip-build --filter SoakLiveTests

# Installs INSTALL_FILES under DESTDIR and PREFIX; the boot unit names the executable where BINDIR puts it.
install: $(BIN_PREREQUISITE)
	@mkdir -p $(dir $(UNIT_BUILD)) && for unit in polroute polroute-watch; do \
	  sed 's|@BINDIR@|$(BINDIR)|' docs/systemd/$$unit.service.in > $(dir $(UNIT_BUILD))$$unit.service.$$$$ && \
	  mv -f $(dir $(UNIT_BUILD))$$unit.service.$$$$ $(dir $(UNIT_BUILD))$$unit.service; done
	@set -e; for entry in $(INSTALL_FILES); do \
	  mode=$${entry%%:*}; rest=$${entry#*:}; source=$${rest%%:*}; target="$(DESTDIR)$${rest#*:}"; \
	  echo "install -D -m $$mode $$source $$target"; install -D -m "$$mode" "$$source" "$$target"; \
	done

# Removes what 'make install' installed (the same DESTDIR and PREFIX), leaving the directories.
uninstall:
	@set -e; for entry in $(INSTALL_FILES); do \
	  target="$(DESTDIR)$${entry#*:*:}"; echo "rm -f $$target"; rm -f "$$target"; \
	done

# A Debian package built with dpkg-deb: the stripped executable, the manual pages and changelog compressed, the
# copyright, lintian's overrides, and DEBIAN/control and md5sums.
deb: $(BIN_PREREQUISITE)
	rm -rf $(DEBDIR)/root
	$(MAKE) --no-print-directory install DESTDIR=$(DEBDIR)/root PREFIX=/usr POLROUTE_BIN=$(BIN)
	strip --strip-unneeded --remove-section=.comment --remove-section=.note $(DEBDIR)/root/usr/bin/polroute
	gzip -9n $(DEBDIR)/root/usr/share/man/man8/polroute.8 $(DEBDIR)/root/usr/share/man/man5/polroute.conf.5
	install -D -m 0644 docs/packaging/copyright $(DEBDIR)/root/usr/share/doc/polroute/copyright
	gzip -9n < docs/packaging/changelog > $(DEBDIR)/root/usr/share/doc/polroute/changelog.gz
	install -D -m 0644 docs/packaging/lintian-overrides $(DEBDIR)/root/usr/share/lintian/overrides/polroute
	find $(DEBDIR)/root -type d -exec chmod 0755 {} +
	chmod 0644 $(DEBDIR)/root/usr/share/doc/polroute/changelog.gz
	mkdir -p $(DEBDIR)/root/DEBIAN
	sed -e 's/@VERSION@/$(VERSION)/' -e 's/@ARCH@/$(DEB_ARCH)/' \
	  -e "s/@SIZE@/$$(du -sck $(DEBDIR)/root/usr $(DEBDIR)/root/lib $(DEBDIR)/root/etc | tail -1 | cut -f1)/" \
	  docs/packaging/control > $(DEBDIR)/root/DEBIAN/control
	cd $(DEBDIR)/root && find usr lib -type f | LC_ALL=C sort | xargs md5sum > DEBIAN/md5sums
	# The hooks under /etc are the administrator's to edit: conffiles, which dpkg keeps on upgrade.
	cd $(DEBDIR)/root && find etc -type f | LC_ALL=C sort | sed 's|^|/|' > DEBIAN/conffiles
	chmod 0644 $(DEBDIR)/root/DEBIAN/control $(DEBDIR)/root/DEBIAN/md5sums $(DEBDIR)/root/DEBIAN/conffiles
	dpkg-deb --root-owner-group -Zxz --build $(DEBDIR)/root $(DEB)

clean:
	rm -rf .build bench/.build

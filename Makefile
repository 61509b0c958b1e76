# Tether — see README.md. `make run` and `make test` work on a fresh Debian 12 machine as root.
SHELL := /bin/bash
.DEFAULT_GOAL := build

# Everything the build, the tests and the benchmarks need, from Debian 12.
BUILD_PACKAGES := cmake ninja-build ccache g++ clang-14 lld-14 libclang-rt-14-dev pkg-config \
  libboost-dev libssl-dev libsqlite3-dev libpq-dev libsodium-dev libfmt-dev libspdlog-dev \
  libcli11-dev libtomlplusplus-dev libexpected-dev libgtest-dev libgmock-dev libbenchmark-dev \
  nlohmann-json3-dev libmaxminddb-dev libjemalloc-dev
TEST_PACKAGES := python3 iproute2 util-linux procps bind9-dnsutils knot-dnsutils knot \
  knot-dnssecutils nsd bind9 bind9-utils dnsperf curl openssl ddclient inadyn wrk nginx-light \
  postgresql sqlite3 unbound valgrind
PACKAGES := $(BUILD_PACKAGES) $(TEST_PACKAGES)

CLANGXX := clang++-14
DNS_PORT ?= 5353

.PHONY: deps build run test test-asan test-tsan test-integration bench bench-drill format clean

# Idempotent: installs only what is missing (apt-get update first). A temporary policy-rc.d
# answering 101 keeps the packaged servers (knot, nsd, named) from starting, so nothing
# listens on port 53 or reaches out.
deps:
	@missing=""; for p in $(PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "make deps: installing$$missing"; \
	  had_policy=0; [ -e /usr/sbin/policy-rc.d ] && had_policy=1; \
	  [ $$had_policy = 1 ] || { printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; chmod 755 /usr/sbin/policy-rc.d; }; \
	  export DEBIAN_FRONTEND=noninteractive; \
	  apt-get update -q && apt-get install -y -q --no-install-recommends $$missing; status=$$?; \
	  [ $$had_policy = 1 ] || rm -f /usr/sbin/policy-rc.d; \
	  exit $$status; \
	fi

# Release binaries build/tetherd and build/tether (g++, -O2).
build: deps
	@cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
	@ninja -C build tetherd tether

# The demo: tetherd on 127.0.0.1:$(DNS_PORT) with its SQLite store in var/tether; the first
# start imports demo/dyn.example.net.zone and makes a TSIG key for nsupdate.
run: build
	@DNS_PORT=$(DNS_PORT) demo/run.sh

# All tests: ASan+UBSan (clang) unit tests and fuzz-corpus replay; TSan concurrency tests;
# release integration tests against real clients. Prints each stage's ctest summary.
test: deps
	@tests/run_all.sh

test-asan: deps
	@tests/run_all.sh asan
test-tsan: deps
	@tests/run_all.sh tsan
test-integration: deps
	@tests/run_all.sh integration

# Throughput and memory against knotd and nsd (see bench/README.md). Not a test.
bench: build
	@ninja -C build bench_tools >/dev/null 2>&1 || true
	python3 bench/run.py

# The 2014 takedown drill (bench/README.md): an order of 20,000 names in a service zone of
# DRILL_HOSTS hosts; `make bench-drill DRILL_HOSTS=1000000` is the quick run. Not a test.
DRILL_HOSTS ?= 5000000
bench-drill: build
	@ninja -C build drill
	build/bench/tools/drill --hosts $(DRILL_HOSTS) --listed 20000

format:
	@git ls-files '*.h' '*.cc' | xargs clang-format -i

clean:
	rm -rf build build-asan build-tsan

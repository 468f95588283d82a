# Thin wrappers: install what is missing, configure with CMake, build, run.
# Each target uses its own build folder so that switching does not rebuild all.

JOBS ?= 2
CMAKE_FLAGS ?=
DEPS := bash cmake/install-deps.sh

RELEASE := build
ASAN := build-asan
TSAN := build-tsan
THREAD_SAFETY := build-thread-safety
ASAN_FLAGS := -DMOTIVE_SANITIZE=address,undefined -DMOTIVE_BUILD_BENCHMARKS=OFF -DMOTIVE_BUILD_EXAMPLES=ON
TSAN_FLAGS := -DMOTIVE_SANITIZE=thread -DMOTIVE_BUILD_BENCHMARKS=OFF -DMOTIVE_BUILD_EXAMPLES=ON
FUZZ := build-fuzz
FUZZ_FLAGS := -DMOTIVE_FUZZ=ON -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
  -DMOTIVE_BUILD_BENCHMARKS=OFF -DMOTIVE_BUILD_EXAMPLES=OFF
# Seconds of fuzzing per target, and which targets (all when empty).
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?=

.PHONY: all deps build demo desktop test torture soak thread-safety bench bench-short bench-cluster bench-bindings abi-baseline asan tsan fuzz format clean

all: build

deps:
	@$(DEPS)

# $(1): build folder, $(2): extra CMake flags.
define configure
	cmake -S . -B $(1) -DCMAKE_BUILD_TYPE=RelWithDebInfo $(2) $(CMAKE_FLAGS)
endef

build: deps
	$(call configure,$(RELEASE),)
	cmake --build $(RELEASE) -j$(JOBS)

demo: build
	bash examples/demo.sh $(RELEASE)

# The agent desktop over generated customers whose journeys run up to today,
# on DESKTOP_LISTEN; Ctrl-C stops it. The database is made once.
DESKTOP_DB := $(RELEASE)/desktop-demo.db
DESKTOP_LISTEN ?= 127.0.0.1:8080
desktop: build
	@if [ ! -e $(DESKTOP_DB) ]; then \
	  days=$$(( ($$(date +%s) - $$(date -d 2025-01-01 +%s)) / 86400 )); \
	  $(RELEASE)/examples/cli/motive generate --customers 2000 --seed 7 \
	    --days $$days --out $(RELEASE)/desktop-demo.jsonl && \
	  $(RELEASE)/examples/cli/motive ingest --db $(DESKTOP_DB) \
	    $(RELEASE)/desktop-demo.jsonl; \
	fi
	@echo "Open http://$(DESKTOP_LISTEN)/ and find a customer: C0000000 to C0001999"
	$(RELEASE)/examples/cli/motive desktop --db $(DESKTOP_DB) \
	  --rules examples/rules/telecom.textproto --listen $(DESKTOP_LISTEN)

test: build
	cd $(RELEASE) && ctest --output-on-failure -j$(JOBS)

# Reliability at length: a writer killed TORTURE_KILLS times at random points,
# each kill checked; each kind of file damage tried TORTURE_DAMAGES times; and
# each I/O fault at every position of the fault test's workload. (make test
# runs 200 kills, 40 damages of each kind and 12 positions of each fault.)
TORTURE_KILLS ?= 10000
TORTURE_DAMAGES ?= 2000
torture: build
	$(RELEASE)/tests/reliability/crash_test --kills $(TORTURE_KILLS) --seed $$(date +%s)
	MOTIVE_CORRUPTION_TRIALS=$(TORTURE_DAMAGES) $(RELEASE)/tests/reliability/corruption_test
	MOTIVE_FAULT_POSITIONS=0 $(RELEASE)/tests/reliability/fault_test

# Under load for SOAK_SECONDS (minutes here; hours where a machine allows):
# recorders, queriers, a decider, feedback, erasures and ruleset reloads on
# one engine at once; prints calls/s, p50/p99 and resident memory every
# twentieth of the run, checks the state against a rebuild from the log and
# fails when memory grows after the warm-up. (make test runs 8 seconds.)
SOAK_SECONDS ?= 300
soak: build
	$(RELEASE)/tests/reliability/soak_test --seconds $(SOAK_SECONDS) --seed $$(date +%s)

bench: build
	$(RELEASE)/tests/bench/motive_bench

# Seconds, on small data: what CI can afford.
bench-short: build
	$(RELEASE)/tests/bench/motive_bench --short

# The cluster's figures: freshness between two nodes, writes and catch-up
# against a single node, reads while applying (three nats-server processes on
# loopback; about a minute). EVENTS sets the batch size.
bench-cluster: build
	$(RELEASE)/tests/cluster/cluster_bench

# What the Python and C# bindings add to a summary and a decision, against
# the same calls from C in the same process (issue 6). A few seconds each.
bench-bindings: build
	MOTIVE_LIBRARY=$(RELEASE)/src/libmotive.so PYTHONPATH=bindings/python \
	  PYTHONDONTWRITEBYTECODE=1 python3 tests/bench/bindings/bench_python.py \
	  --bench-lib $(RELEASE)/tests/bench/libmotive_bench_c.so
	LD_LIBRARY_PATH=$(RELEASE)/src:$(RELEASE)/tests/bench \
	  mono $(RELEASE)/tests/bench/Bench.exe \
	  --rules examples/rules/telecom.textproto

# After a compatible change of the C ABI (functions added, versioned structs
# grown at the end): record the new ABI as the baseline abi_test holds to.
abi-baseline: build
	abidw --exported-interfaces-only --headers-dir include/motive \
	  --drop-private-types --no-corpus-path --no-show-locs \
	  --type-id-style hash $(RELEASE)/src/libmotive.so > src/capi/libmotive.abi

asan: deps
	$(call configure,$(ASAN),$(ASAN_FLAGS))
	cmake --build $(ASAN) -j$(JOBS)
	cd $(ASAN) && ctest --output-on-failure -j$(JOBS)

tsan: deps
	$(call configure,$(TSAN),$(TSAN_FLAGS))
	cmake --build $(TSAN) -j$(JOBS) --target concurrency_tests
	cd $(TSAN) && ctest --output-on-failure -j$(JOBS) -L concurrency

# The lock annotations checked by clang (-Wthread-safety as errors), on the
# library's own code only, unoptimised: a minute or two.
thread-safety: deps
	CC=clang CXX=clang++ cmake -S . -B $(THREAD_SAFETY) -DCMAKE_BUILD_TYPE=Debug \
	  -DCMAKE_CXX_FLAGS_DEBUG=-O0 -DMOTIVE_THREAD_SAFETY=ON \
	  -DMOTIVE_BUILD_TESTS=OFF -DMOTIVE_BUILD_EXAMPLES=OFF \
	  -DMOTIVE_BUILD_BENCHMARKS=OFF $(CMAKE_FLAGS)
	cmake --build $(THREAD_SAFETY) -j$(JOBS) --target motive_objects

# Each fuzz target under libFuzzer with ASan and UBSan for FUZZ_SECONDS
# (tests/fuzz/README.md). `make test` only replays their corpora.
fuzz:
	@$(DEPS) fuzz
	$(call configure,$(FUZZ),$(FUZZ_FLAGS))
	cmake --build $(FUZZ) -j$(JOBS) --target fuzzers
	bash tests/fuzz/run_fuzzers.sh $(FUZZ) $(FUZZ_SECONDS) $(FUZZ_TARGETS)

format:
	clang-format -i $$(git ls-files '*.h' '*.cc' '*.c' '*.proto')

clean:
	rm -rf $(RELEASE) $(ASAN) $(TSAN) $(THREAD_SAFETY) $(FUZZ)

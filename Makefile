# The two commands a new user needs: `make run` and `make test` (see README.md).
BUILD_DIR      ?= build
ASAN_BUILD_DIR ?= build-asan
FUZZ_BUILD_DIR ?= build-fuzz
FUZZ_SECONDS   ?= 60
RUN_CONFIG     ?= run/akasa.yaml
JOBS           ?= $(shell nproc)

.PHONY: all deps deps-test build build-server run deb test test-release test-asan fuzz bench \
        container-test format clean

all: build

# What building and running the server need; deps-test adds the tests' tools and peers.
deps:
	@scripts/install-deps --check run >/dev/null 2>&1 || scripts/install-deps run

deps-test:
	@scripts/install-deps --check test >/dev/null 2>&1 || scripts/install-deps test

# Everything: the server, its tests, the microbenchmarks and the load tool.
build: deps-test
	cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Release -DAKASA_BUILD_TESTS=ON \
	  -DAKASA_BUILD_BENCH=ON
	cmake --build $(BUILD_DIR) -j $(JOBS)

# Only the server (and the example plugin): no test or benchmark dependency is needed.
build-server: deps
	cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Release -DAKASA_BUILD_TESTS=OFF \
	  -DAKASA_BUILD_BENCH=OFF
	cmake --build $(BUILD_DIR) -j $(JOBS) --target akasa

# Starts the server on 127.0.0.1:1883 with a default config that allows anonymous clients.
# The config is written once to $(RUN_CONFIG); edit it freely, `make run` keeps your edits.
# A port already taken is reported by the server in one line, naming the process that holds it.
run: build-server
	@mkdir -p $(dir $(RUN_CONFIG))
	@test -f $(RUN_CONFIG) || $(BUILD_DIR)/akasa default-config --allow-anonymous > $(RUN_CONFIG)
	$(BUILD_DIR)/akasa start --config $(RUN_CONFIG)

# The Debian package, $(BUILD_DIR)/akasa_<version>_<arch>.deb (README.md, "Debian package").
# Needs scdoc for its man pages: `make deps-test` installs it.
deb: build-server
	cmake --build $(BUILD_DIR) -j $(JOBS)
	cd $(BUILD_DIR) && cpack -G DEB

# Every test: the release build, the same suite under ASan/UBSan, and a short fuzz run.
test: test-release test-asan fuzz

test-release: build
	ctest --test-dir $(BUILD_DIR) --output-on-failure -j 2 --timeout 900

test-asan: deps-test
	cmake -S . -B $(ASAN_BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DAKASA_SANITIZE=ON -DAKASA_BUILD_BENCH=OFF
	cmake --build $(ASAN_BUILD_DIR) -j $(JOBS)
	ASAN_OPTIONS=detect_leaks=1 ctest --test-dir $(ASAN_BUILD_DIR) --output-on-failure -j 2 --timeout 900

# Every libFuzzer target (fuzz/*_fuzz.cpp: the MQTT decoder, WebSocket frames and upgrade,
# PROXY headers, HTTP requests, the ACL, password and config files), one after the other,
# for FUZZ_SECONDS in total: the decoder a third, the others the rest in equal parts (see
# scripts/run-fuzz). Seeds: fuzz/corpus/<target>/; crashes: $(FUZZ_BUILD_DIR)/artifacts/<target>/.
# Fails when any target finds a crash, leak or hang; skipped (with a note) without clang.
fuzz: deps-test
	@if command -v clang++ >/dev/null 2>&1; then \
	  CXX=clang++ cmake -S . -B $(FUZZ_BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DAKASA_FUZZ=ON && \
	  cmake --build $(FUZZ_BUILD_DIR) -j $(JOBS) && \
	  scripts/run-fuzz $(FUZZ_BUILD_DIR) $(FUZZ_SECONDS); \
	else echo "fuzz: clang++ not found, fuzz run skipped"; fi

bench: build
	$(BUILD_DIR)/akasa_microbench

# The container image (Dockerfile), end to end and without a registry: a Debian 12 base image
# made from Debian packages, `podman build`, then the image run (podman run, or its files
# through chroot where no OCI runtime can start containers): publish/subscribe, kill -9 and
# restart with the retained message, SIGTERM stop with the will. Needs root; takes a full
# build inside the image. Not part of `make test` (README.md, "Container").
container-test:
	@scripts/install-deps --check container >/dev/null 2>&1 || scripts/install-deps container
	tests/container/run

format:
	git ls-files '*.cpp' '*.h' | xargs clang-format -i

clean:
	rm -rf $(BUILD_DIR) $(ASAN_BUILD_DIR) $(FUZZ_BUILD_DIR)

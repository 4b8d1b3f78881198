# The two quick-start commands: `make run` and `make test`.
JOBS ?= $(shell nproc)
SYSTEM ?= examples/cafe/system.yaml

.PHONY: deps build run test bench clean

deps:
	./scripts/install-deps

build: deps
	cmake --preset release >/dev/null
	cmake --build --preset release -j $(JOBS)

run: build
	./build/release/bin/trellis up $(SYSTEM)

test: build
	ctest --preset release -j $(JOBS)
	cmake --preset asan >/dev/null
	cmake --build --preset asan -j $(JOBS)
	ctest --preset asan -j $(JOBS)

bench: build
	./bench/run-all

clean:
	rm -rf build

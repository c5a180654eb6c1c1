# The two commands of the README. Both set up a fresh machine first (scripts/setup.sh).
.PHONY: demo test build bench fuzz clean

demo:   ## set up, build, start llmtapd on ./data with example traffic
	scripts/demo.sh

test:   ## set up, build, run every test suite
	scripts/test.sh

build:
	scripts/build.sh

fuzz:   ## each libFuzzer target of tests/fuzz for FUZZ_SECONDS (default 60) with clang
	FUZZ_SECONDS=$(or $(FUZZ_SECONDS),60) scripts/fuzz.sh

clean:
	rm -rf build build-asan build-fuzz build-tsan

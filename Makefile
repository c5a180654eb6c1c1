# The two commands of the README. Both set up a fresh machine first (scripts/setup.sh).
.PHONY: demo test build bench clean

demo:   ## set up, build, start llmtapd on ./data with example traffic
	scripts/demo.sh

test:   ## set up, build, run every test suite
	scripts/test.sh

build:
	scripts/build.sh

clean:
	rm -rf build

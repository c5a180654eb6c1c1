#!/usr/bin/env bash
# The Python package as a user gets it: builds the wheel of bindings/python, installs it into a
# new virtual environment (build/venv), and runs the quickstart, the `llmtap` console script
# and tests/python against the installed package (not build/python).
#
# The wheel packages the _core extension that scripts/build.sh built already
# (LLMTAP_PREBUILT_CORE), so this costs a venv and a pip install (~20-30 s with a warm pip
# cache), not a second compile. `pip install ./bindings/python` without it compiles the SDK and
# the extension itself (scripts/test_python_package.sh --full does that: several minutes).
set -euo pipefail
cd "$(dirname "$0")/.."
full=0; [[ ${1:-} == --full ]] && full=1

rm -rf build/wheel build/venv
if ((full)); then
  python3 -m pip wheel -q --no-deps -w build/wheel ./bindings/python
else
  core=$(ls "$PWD"/build/python/llmtap/_core.*.so)
  python3 -m pip wheel -q --no-deps --no-build-isolation -w build/wheel \
    -C cmake.define.LLMTAP_PREBUILT_CORE="$core" -C build-dir="$PWD/build/wheel/tmp" ./bindings/python
fi
wheel=$(ls build/wheel/llmtap-*.whl)
echo "built $wheel"
python3 -m venv build/venv
build/venv/bin/python -m pip install -q --disable-pip-version-check "$wheel" \
  -r tests/python/requirements.txt

# From a folder outside the checkout, with no PYTHONPATH: only the installed package imports.
export LLMTAP_BIN_DIR=$PWD/build/bin PATH=$PWD/build/bin:$PATH LLMTAP_EXPECT_INSTALLED=1
unset PYTHONPATH
tests=$PWD/tests/python
cd build/venv
bin/llmtap --help > /dev/null
bin/python -m llmtap --version
bin/python -m pytest -q -p no:cacheprovider "$tests"

#!/usr/bin/env bash
# Compiles llama-cpp-python (the real OpenAI-compatible server of tests/test_llama_server.py) in the background from
# the start of `make test`: while the packages download and install, then while the suite runs, since both leave
# part of the cores idle. It builds a wheel in an environment of its own (the set-up upgrades pip and installs into
# .venv meanwhile) and installs it into .venv once the test set-up is done; its requirements are in the test
# extras, so adding it changes nothing the running tests use. tests/test_llama_server.py waits for
# .venv/llama-build.done (or reports .venv/llama-build.log).
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=.venv
PY=$VENV/bin/python
PYTHON=${PYTHON:-python3}
TEST_STAMP=$VENV/.installed-test-stamp
# Portable CPU code (AVX2, FMA, F16C), not -march=native: a native build uses AMX where the CPU reports it, and where
# the kernel or sandbox does not grant AMX the server dies with a general protection fault at its first completion
# (measured 2026-12-07 on a machine reporting amx_int8). A build with other flags is rebuilt, and pip's wheel cache is
# bypassed, since it would hand back a wheel built with the old ones.
FLAGS="-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON"
if [ -x "$PY" ] && "$PY" -c "import llama_cpp.server" 2>/dev/null && [ "$(cat "$VENV/llama-build.flags" 2>/dev/null)" = "$FLAGS" ]; then
  touch "$VENV/llama-build.done"
  exit 0
fi
mkdir -p "$VENV"
rm -rf "$VENV/llama-build.done" "$VENV/llama-build.failed" "$VENV/llama-wheel"
echo "==> $(date +%H:%M:%S) llama-cpp-python compiles in the background during set-up and tests (log: $VENV/llama-build.log)"
# Only the libraries the server loads (no vision/audio library, tests, examples, tools, nor llama.cpp's "common"
# library: scripts/llama-without-common.cmake), on every core at the lowest priority: it takes what the set-up and
# the tests leave idle, and all of it once they are done. (On half the cores it took longer than the suite:
# measured 2026-12-03, 2 cores.)
jobs=$(nproc)
(
  build() {
    "$PYTHON" -m venv "$VENV/llama-build-env" &&
    CMAKE_ARGS="$FLAGS -DLLAVA_BUILD=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_TOOLS=OFF -DLLAMA_BUILD_SERVER=OFF -DCMAKE_PROJECT_llama.cpp_INCLUDE=$PWD/scripts/llama-without-common.cmake" \
      CMAKE_BUILD_PARALLEL_LEVEL=$jobs nice -n 19 "$VENV/llama-build-env/bin/python" -m pip wheel --no-deps \
      --no-cache-dir -w "$VENV/llama-wheel" "llama-cpp-python==0.3.36" &&
    # into .venv only once the set-up's own pip runs are over (at most 30 minutes: a failed set-up stops make)
    for _ in $(seq 1800); do [ -f "$TEST_STAMP" ] && break; sleep 1; done &&
    [ -f "$TEST_STAMP" ] &&
    "$PY" -m pip install --no-deps --force-reinstall "$VENV"/llama-wheel/llama_cpp_python-0.3.36-*.whl &&
    echo "$FLAGS" > "$VENV/llama-build.flags"
  }
  if build > "$VENV/llama-build.log" 2>&1; then
    touch "$VENV/llama-build.done"
  else
    touch "$VENV/llama-build.failed"
  fi
) > /dev/null 2>&1 < /dev/null &

#!/usr/bin/env bash
# Compiles llama-cpp-python (the real OpenAI-compatible server of tests/test_llama_server.py) into .venv in the
# background, while the rest of the suite runs: the compile takes minutes and the suite leaves part of the cores
# idle. Its requirements are already installed by the test extras, so adding the package changes nothing the
# running tests use. tests/test_llama_server.py waits for .venv/llama-build.done (or reports llama-build.log).
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=.venv
PY=$VENV/bin/python
if "$PY" -c "import llama_cpp.server" 2>/dev/null; then
  touch "$VENV/llama-build.done"
  exit 0
fi
rm -f "$VENV/llama-build.done" "$VENV/llama-build.failed"
echo "==> $(date +%H:%M:%S) llama-cpp-python compiles in the background while the tests run (log: $VENV/llama-build.log)"
# Only the libraries the server loads (no vision/audio library, tests, examples, tools, nor llama.cpp's "common"
# library: scripts/llama-without-common.cmake), on every core at the lowest priority: it takes what the tests
# leave idle, and all of it once they are done. (On half the cores it took longer than the suite: measured
# 2026-12-03, 2 cores.)
jobs=$(nproc)
(
  if CMAKE_ARGS="-DLLAVA_BUILD=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_TOOLS=OFF -DLLAMA_BUILD_SERVER=OFF -DCMAKE_PROJECT_llama.cpp_INCLUDE=$PWD/scripts/llama-without-common.cmake" \
     CMAKE_BUILD_PARALLEL_LEVEL=$jobs nice -n 19 "$PY" -m pip install --no-deps "llama-cpp-python==0.3.36" \
     > "$VENV/llama-build.log" 2>&1; then
    touch "$VENV/llama-build.done"
  else
    touch "$VENV/llama-build.failed"
  fi
) > /dev/null 2>&1 < /dev/null &

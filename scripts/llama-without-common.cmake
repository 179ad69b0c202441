# Read by llama.cpp's project() call (CMAKE_PROJECT_llama.cpp_INCLUDE, scripts/build-llama.sh). llama-cpp-python
# forces llama.cpp's "common" library on, but its Python bindings and server load only libllama and ggml (their
# libraries need nothing of it: readelf -d), and "common" (argument parsing, chat-template parsers, an HTTP
# client) was 58 % of the compile on 2 cores.
set(LLAMA_BUILD_COMMON OFF CACHE BOOL "llama.cpp: build common utils library" FORCE)

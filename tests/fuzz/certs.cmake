# The ClientHello parser's fuzz target (proxy/sniff/). Its source sits with the parser's unit
# tests (tests/unit/proxy/), the corpus here; regenerate the corpus with client_hello_corpus_writer.
minewall_fuzz_target(fuzz_client_hello
  SOURCES ${PROJECT_SOURCE_DIR}/tests/unit/proxy/fuzz_client_hello.cpp
  DEPS minewall_proxy_core minewall_certs
  CORPUS ${CMAKE_CURRENT_SOURCE_DIR}/corpus/client_hello)

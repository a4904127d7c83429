# Fuzz targets of the certs module. The target's source sits with the certs unit tests
# (tests/unit/certs/), the corpus here; regenerate the corpus with client_hello_corpus_writer.
minewall_fuzz_target(fuzz_client_hello
  SOURCES ${PROJECT_SOURCE_DIR}/tests/unit/proxy/fuzz_client_hello.cpp
  DEPS minewall_proxy_core
  CORPUS ${CMAKE_CURRENT_SOURCE_DIR}/corpus/client_hello)

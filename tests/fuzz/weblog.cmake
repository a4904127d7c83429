# Fuzz targets of the weblog module. The source sits with the weblog unit tests
# (tests/unit/weblog/fuzz_nss_formatter.cpp), the corpus here under corpus/weblog_*.
minewall_fuzz_target(fuzz_nss_formatter
  SOURCES ${PROJECT_SOURCE_DIR}/tests/unit/weblog/fuzz_nss_formatter.cpp
  DEPS minewall_weblog nlohmann_json::nlohmann_json
  CORPUS ${CMAKE_CURRENT_SOURCE_DIR}/corpus/weblog_nss_formatter)

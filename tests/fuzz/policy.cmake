# Fuzz targets of the policy module. Sources sit with the policy unit tests
# (tests/unit/policy/fuzz_*.cpp), corpora here under corpus/policy_*.
minewall_fuzz_target(fuzz_stratum_detector
  SOURCES ${PROJECT_SOURCE_DIR}/tests/unit/policy/fuzz_stratum_detector.cpp
  DEPS minewall_policy
  CORPUS ${CMAKE_CURRENT_SOURCE_DIR}/corpus/policy_stratum)

minewall_fuzz_target(fuzz_adblock_parser
  SOURCES ${PROJECT_SOURCE_DIR}/tests/unit/policy/fuzz_adblock_parser.cpp
  DEPS minewall_policy
  CORPUS ${CMAKE_CURRENT_SOURCE_DIR}/corpus/policy_adblock)

minewall_fuzz_target(fuzz_wasm_exports
  SOURCES ${PROJECT_SOURCE_DIR}/tests/unit/policy/fuzz_wasm_exports.cpp
  DEPS minewall_policy
  CORPUS ${CMAKE_CURRENT_SOURCE_DIR}/corpus/policy_wasm)

minewall_fuzz_target(fuzz_domain_set
  SOURCES ${PROJECT_SOURCE_DIR}/tests/unit/policy/fuzz_domain_set.cpp
  DEPS minewall_policy
  CORPUS ${CMAKE_CURRENT_SOURCE_DIR}/corpus/policy_domain_set)

minewall_fuzz_target(fuzz_literal_set
  SOURCES ${PROJECT_SOURCE_DIR}/tests/unit/policy/fuzz_literal_set.cpp
  DEPS minewall_policy
  CORPUS ${CMAKE_CURRENT_SOURCE_DIR}/corpus/policy_literal_set)

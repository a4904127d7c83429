minewall_fuzz_target(fuzz_request_head
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/request_head_fuzz.cpp
  DEPS minewall_proxy_core Boost::headers
  CORPUS ${CMAKE_CURRENT_SOURCE_DIR}/corpus/request_head)

# Warnings are errors on our code only: link minewall_warnings into each of our targets.
add_library(minewall_warnings INTERFACE)
target_compile_options(minewall_warnings INTERFACE -Wall -Wextra -Werror)
# g++ 12 at -O3 reports libstdc++'s own string copies as overlapping or overflowing (GCC bugs
# 105329, 105651 and relatives): keep these as warnings so Release builds are not blocked by
# diagnostics about the standard library rather than our code.
target_compile_options(minewall_warnings INTERFACE
  $<$<CXX_COMPILER_ID:GNU>:-Wno-error=restrict -Wno-error=stringop-overflow
                           -Wno-error=stringop-overread -Wno-error=array-bounds>)

# Asio: coroutines, no deprecated API, one shared definition set for every target.
add_library(minewall_asio INTERFACE)
target_link_libraries(minewall_asio INTERFACE Boost::headers Threads::Threads OpenSSL::SSL
                                              OpenSSL::Crypto)
target_compile_definitions(minewall_asio INTERFACE BOOST_ASIO_NO_DEPRECATED
)

if(MINEWALL_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer
                      -fno-sanitize-recover=all)
  add_link_options(-fsanitize=address,undefined)
endif()

if(MINEWALL_TSAN)
  if(MINEWALL_SANITIZE)
    message(FATAL_ERROR "MINEWALL_TSAN and MINEWALL_SANITIZE cannot be combined")
  endif()
  # Worker threads, the web-log writer thread, policy and configuration swaps, the leaf cache's
  # single flight and the origin pool are what this build checks.
  # g++ warns that TSan does not model std::atomic_thread_fence (Boost.Asio and spdlog use it
  # in their headers): the warning is about the tool, not our code.
  add_compile_options(-fsanitize=thread -fno-omit-frame-pointer -fno-sanitize-recover=all
                      $<$<CXX_COMPILER_ID:GNU>:-Wno-tsan>)
  add_link_options(-fsanitize=thread)
endif()

# Faster rebuilds when ccache is on the machine; nothing depends on it.
find_program(CCACHE_PROGRAM ccache)
if(CCACHE_PROGRAM)
  set(CMAKE_CXX_COMPILER_LAUNCHER "${CCACHE_PROGRAM}")
endif()

# Helper: a module library whose headers are included from the repository root.
function(minewall_module name)
  cmake_parse_arguments(M "" "" "SOURCES;DEPS" ${ARGN})
  add_library(${name} STATIC ${M_SOURCES})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR})
  target_link_libraries(${name} PUBLIC ${M_DEPS} PRIVATE minewall_warnings)
endfunction()

if(MINEWALL_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "MINEWALL_FUZZ needs clang: configure with -DCMAKE_CXX_COMPILER=clang++")
  endif()
  # Instrument every library for coverage and memory errors; the fuzz targets add the driver.
  # -fno-sanitize-recover=all: a UBSan finding aborts the target (libFuzzer then reports a
  # crash), instead of printing "runtime error" and carrying on to exit 0.
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer
                      -fno-sanitize-recover=all)
  add_link_options(-fsanitize=address,undefined)
endif()

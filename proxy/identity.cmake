# Proxy authentication users and client identities (pure code: no sockets, no Asio). Included
# from proxy/CMakeLists.txt; paths are relative to this file so the include site does not matter.
# crypt(3) with bcrypt/sha512-crypt/yescrypt comes from libxcrypt (Debian: libcrypt-dev).
# GLOBAL: the imported target is linked transitively by targets in other directories (tests).
if(NOT TARGET PkgConfig::LIBXCRYPT)
  pkg_check_modules(LIBXCRYPT REQUIRED IMPORTED_TARGET GLOBAL libxcrypt)
endif()

minewall_module(minewall_identity
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/proxy_credentials.cpp
          ${CMAKE_CURRENT_LIST_DIR}/client_identity_map.cpp
  DEPS minewall_config OpenSSL::Crypto PkgConfig::LIBXCRYPT)

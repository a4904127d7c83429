#pragma once
// Precompiled header for the network code: Asio, Beast and spdlog take most of each
// translation unit's compile time, so they are parsed once per target.
#include <spdlog/spdlog.h>

#include <boost/asio.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#pragma once
// Namespace aliases shared by the network code of proxy/.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace minewall::proxy {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = boost::asio::ip::tcp;
using boost::asio::awaitable;
using boost::system::error_code;

// Expected network errors are values, not exceptions.
inline constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
}  // namespace minewall::proxy

// Coroutines are Boost.Asio awaitables. Only the light awaitable header is exposed here.
#pragma once

#include <boost/asio/awaitable.hpp>

namespace trellis::core {

template <class T = void>
using Task = boost::asio::awaitable<T>;

}  // namespace trellis::core

// Runs one awaitable of the name service to its end on an io_context, for
// the unit tests of the parts that suspend (the store, the registry).
#pragma once

#include <chrono>
#include <exception>
#include <optional>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>

// `task`'s value, once `context` has run it to its end (10 s at most).
template <class T>
T await_in(boost::asio::io_context& context, boost::asio::awaitable<T> task) {
  std::optional<T> value;
  std::exception_ptr error;
  boost::asio::co_spawn(context, std::move(task), [&](std::exception_ptr e, T v) {
    error = e;
    if (!e) value = std::move(v);
  });
  context.restart();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!value && !error && std::chrono::steady_clock::now() < deadline) context.run_one_for(std::chrono::milliseconds(100));
  if (error) std::rethrow_exception(error);
  REQUIRE(value.has_value());
  return std::move(*value);
}

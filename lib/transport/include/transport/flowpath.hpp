// One flowpath's socket and what its coroutines share.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <memory>

#include "session/record_cipher.hpp"
#include "session/types.hpp"
#include "wire/codec.hpp"

namespace msocket::transport {

struct Flowpath {
  Flowpath(PathId path_id, boost::asio::ip::tcp::socket s);
  void close();  // idempotent; wakes the writer; a reset unless shutdown_sent
  void close_gracefully();  // TCP FIN: only once the session is in time_wait or closed

  PathId id;
  boost::asio::ip::tcp::socket socket;
  boost::asio::steady_timer wake;  // the writer parks here when nothing is due
  boost::asio::ip::tcp::endpoint local;
  boost::asio::ip::tcp::endpoint remote;
  std::string local_text;
  TimePoint opened = Clock::now();
  bool closed = false;
  bool shutdown_sent = false;
  // Bytes we wrote that are not the session's (SETUP or SETUP_ACK, then
  // ADDRESSES frames): TCP's acks of them are no deliveries.
  std::uint64_t transport_bytes = wire::kHeaderSize + wire::kSetupBodySize;
  // TCP's progress as last told to the session (tcp_progress.hpp).
  std::uint64_t reported_acked = 0;
  std::uint32_t reported_srtt_us = 0;
  std::uint64_t reported_congestion_window = 0;
  bool tcp_info_works = true;
  // The record layer (§2.9, §4.2); both null on a connection without
  // encryption, where frames travel as they are.
  std::unique_ptr<session::RecordCipher> sealer;
  std::unique_ptr<session::RecordCipher> opener;
  // Client, on the NEW flowpath: an ACK goes out at once, so the server
  // learns that we hold the keys before it hands the connection to its
  // application (§3.1).
  bool confirm_due = false;
};

}  // namespace msocket::transport

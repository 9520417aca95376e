// The two coroutines of a flowpath: the reader feeds frames to the session,
// the writer sends what the session says is due.
#include "core/coroutine.hpp"
#include "transport/flowpath.hpp"

#include <cstring>
#include <memory>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "core/log.hpp"
#include "transport/connection.hpp"
#include "transport/gathered_write.hpp"
#include "transport/handshake.hpp"
#include "transport/tcp_progress.hpp"
#include "wire/codec.hpp"
#include "wire/record.hpp"

namespace msocket::transport {

namespace {

// An I/O buffer that is absent while a path is idle (many idle connections
// must stay cheap: a keepalive is a few dozen bytes), small when bytes
// come now and then, and grows while the path is busy, so one read or write
// then carries many frames. Its bytes are never zeroed: they are always
// written (by a read, or by the session) before they are used.
class IoBuffer {
 public:
  static constexpr std::size_t kIdle = 16 * 1024;
  static constexpr std::size_t kBusy = 256 * 1024;  // several maximum frames
  bool empty() const { return size_ == 0; }
  // A small buffer, if there is none.
  void allocate() {
    if (size_ != 0) return;
    bytes_.reset(new std::byte[kIdle]);
    size_ = kIdle;
  }
  std::span<std::byte> span() { return {bytes_.get(), size_}; }
  std::size_t size() const { return size_; }
  // Doubles, keeping the first `keep` bytes.
  void grow(std::size_t keep) {
    if (size_ >= kBusy) return;
    std::unique_ptr<std::byte[]> bigger(new std::byte[size_ * 2]);
    std::copy_n(bytes_.get(), keep, bigger.get());
    bytes_ = std::move(bigger);
    size_ *= 2;
  }
  void release() {
    bytes_.reset();
    size_ = 0;
  }

 private:
  std::unique_ptr<std::byte[]> bytes_;
  std::size_t size_ = 0;
};
static_assert(IoBuffer::kBusy >= wire::kDataPrefixSize + wire::kMaxPayload);  // a whole frame fits

// A writer whose last large write is this old gives its buffer back when
// it runs out of work (an idle path does within a keepalive interval). Not
// at once: a busy sender waits for its application between bursts, and
// regrowing from 16 KiB each time cut its writes small. A reader likewise
// after a small read: a busy receiver gets one now and then, and each new
// buffer came from fresh pages the kernel had to clear and map again.
constexpr auto kShrinkAfter = std::chrono::milliseconds(200);

// A reader moves the undecoded tail of its buffer to the front only when
// less than this part of the buffer is left to read into: a read then still
// takes several frames, and most reads move nothing.
constexpr std::size_t kReadRoomDivisor = 4;

// Writes all of `frames`, whose payloads, if `payloads` lists any, are
// still in the session's output buffer (Session::poll_transmit). Those
// slices are taken before the first suspension: one gathered write, and
// what the socket did not take copied into `frames` and written from
// there. `pieces` is scratch space. Returns the socket's error, if any.
asio::awaitable<error_code> write_frames(tcp::socket& socket, std::span<std::byte> frames,
                                         std::span<const session::PayloadRef> payloads,
                                         std::vector<iovec>& pieces) {
  error_code ec;
  std::size_t done = 0;
  if (!payloads.empty()) {
    gather_pieces(frames, payloads, pieces);
    done = write_pieces_now(socket.native_handle(), pieces, ec);
    if (ec) co_return ec;
    if (done < frames.size()) fill_payloads(frames, payloads, done);
  }
  if (done < frames.size()) {
    const auto rest = frames.subspan(done);
    auto [write_ec, written] = co_await asio::async_write(socket, asio::buffer(rest.data(), rest.size()), use_tuple);
    co_return write_ec;
  }
  // Let the reader and the application run between writes, as an
  // asynchronous write's completion would.
  co_await asio::post(socket.get_executor(), asio::use_awaitable);
  co_return error_code{};
}

}  // namespace

bool Connection::report_tcp_progress(Flowpath& path, TimePoint now) {
  if (!path.tcp_info_works) return false;
  const auto progress = read_tcp_progress(path.socket.native_handle());
  if (!progress) {
    path.tcp_info_works = false;  // the session falls back on the connection's ack
    return false;
  }
  bool changed = false;
  const std::uint64_t acked =
      progress->bytes_acked > path.transport_bytes ? progress->bytes_acked - path.transport_bytes : 0;
  if (acked > path.reported_acked) {
    path.reported_acked = acked;
    session_.path_delivered(path.id, acked, now);
    changed = true;
  }
  if (progress->srtt_us != 0 && progress->srtt_us != path.reported_srtt_us) {
    path.reported_srtt_us = progress->srtt_us;
    session_.path_rtt_sample(path.id, std::chrono::microseconds(progress->srtt_us));
  }
  if (progress->congestion_window != path.reported_congestion_window) {
    // A larger window is more room for this path's writer.
    changed = changed || progress->congestion_window > path.reported_congestion_window;
    path.reported_congestion_window = progress->congestion_window;
    session_.path_congestion_window(path.id, progress->congestion_window);
  }
  return changed;
}

bool Connection::awaits_tcp_progress(const Flowpath& path) const {
  if (!path.tcp_info_works) return false;
  const auto it = session_.paths().find(path.id);
  return it != session_.paths().end() && it->second.live && it->second.wire_acked < it->second.wire_sent;
}

Flowpath::Flowpath(PathId path_id, tcp::socket s)
    : id(path_id), socket(std::move(s)), wake(socket.get_executor()) {
  boost::system::error_code ignored;
  local = socket.local_endpoint(ignored);
  remote = socket.remote_endpoint(ignored);
  local_text = to_string(local);
}

void Flowpath::close() {
  if (closed) return;
  closed = true;
  boost::system::error_code ignored;
  // §3.4: a TCP FIN tells a peer in time_wait that closure is complete, so a
  // path given up before our own time_wait must end with a reset instead.
  if (!shutdown_sent) socket.set_option(tcp::socket::linger(true, 0), ignored);
  socket.close(ignored);
  wake.cancel();
}

void Flowpath::close_gracefully() {
  boost::system::error_code ignored;
  if (!shutdown_sent) socket.shutdown(tcp::socket::shutdown_send, ignored);
  shutdown_sent = true;
  close();
}

asio::awaitable<void> Connection::run_reader(std::shared_ptr<Flowpath> path) {
  auto self = shared_from_this();
  IoBuffer io;
  std::size_t begin = 0;  // undecoded bytes are [begin, have)
  std::size_t have = 0;
  TimePoint last_large_read{};
  while (!path->closed) {
    if (io.empty()) {
      // Quiet: wait for bytes before holding a buffer for them.
      auto [wait_ec] = co_await path->socket.async_wait(tcp::socket::wait_read, use_tuple);
      if (!is_current(path) || finished_) co_return;
      if (wait_ec) {
        reader_ended(*path, wait_ec);
        co_return;
      }
      io.allocate();
    }
    auto buffer = io.span();
    auto [ec, n] = co_await path->socket.async_read_some(
        asio::buffer(buffer.data() + have, buffer.size() - have), use_tuple);
    if (!is_current(path) || finished_) co_return;
    if (ec) {
      reader_ended(*path, ec);
      co_return;
    }
    have += n;
    const bool small = n < IoBuffer::kIdle / 2;
    if (!small) last_large_read = Clock::now();
    const auto unread = std::span(buffer).subspan(begin, have - begin);
    const auto used = path->opener ? take_records(*path, unread) : take_frames(*path, unread);
    if (!used) co_return;  // a bad frame closed the flowpath
    const bool filled = have == buffer.size();
    begin += *used;
    if (begin == have) begin = have = 0;
    const auto compact = [&] {
      std::memmove(buffer.data(), buffer.data() + begin, have - begin);
      have -= begin;
      begin = 0;
    };
    // A full buffer means a large frame or a busy path: grow. Nothing left
    // over and only small reads for a while mean a quiet path: give the
    // memory back.
    if (filled) {
      compact();
      io.grow(have);
    } else if (have == 0 && small && Clock::now() - last_large_read >= kShrinkAfter) {
      io.release();
    } else if (buffer.size() - have < buffer.size() / kReadRoomDivisor) {
      compact();
    }
    update();
  }
}

// §3.4: in time_wait, the peer's TCP FIN confirms that closure is complete;
// any other end of the socket is a failed flowpath.
void Connection::reader_ended(Flowpath& path, const error_code& ec) {
  if (ec == asio::error::eof && session_.state() == session::State::time_wait) {
    const auto id = path.id;
    session_.path_eof(id, Clock::now());
    path.close_gracefully();
    flowpaths_.erase(id);
    paths_.flowpath_closed(id);
  } else {
    close_path(path.id, MigrationCause::path_failure,
               ec == asio::error::eof ? std::string("peer closed the flowpath") : ec.message());
  }
  update();
}

std::optional<std::size_t> Connection::take_frames(Flowpath& path, std::span<const std::byte> bytes) {
  const auto now = Clock::now();
  std::size_t used = 0;
  while (true) {
    auto decoded = wire::decode(bytes.subspan(used));
    if (!decoded && decoded.error() == errc::need_more) return used;
    if (!decoded) {
      // A malformed frame costs this flowpath only (docs/protocol.md §2).
      log::transport()->warn("conn={} path={} malformed frame: {}", to_hex(id_), to_int(path.id),
                             decoded.error().message());
      close_path(path.id, MigrationCause::path_failure, "malformed frame");
      update();
      return std::nullopt;
    }
    used += decoded->consumed;
    confirm();  // a frame the peer could only make with the keys (§3.1)
    // The transport's own frame (§2.8); everything else is the session's.
    if (const auto* addresses = std::get_if<wire::AddressesFrame>(&decoded->frame)) {
      on_peer_addresses(*addresses);
    } else if (auto ec = session_.on_frame(path.id, decoded->frame, now)) {
      log::transport()->warn("conn={} path={} protocol violation: {}", to_hex(id_), to_int(path.id), ec.message());
      close_path(path.id, MigrationCause::path_failure, "protocol violation");
      update();
      return std::nullopt;
    }
  }
}

std::optional<std::size_t> Connection::take_records(Flowpath& path, std::span<std::byte> bytes) {
  std::size_t used = 0;
  while (!path.closed) {
    const auto size = wire::record_size(bytes.subspan(used));
    if (!size && size.error() == errc::need_more) return used;
    if (size && bytes.size() - used < *size) return used;
    auto record = size ? bytes.subspan(used, *size) : std::span<std::byte>{};
    // §4.2: a record that does not open costs this flowpath only; the
    // stream never takes a byte from it.
    const char* why = !size ? "oversized record" : !path.opener->open(record) ? "record failed authentication" : nullptr;
    if (why) {
      log::transport()->warn("conn={} path={} {}", to_hex(id_), to_int(path.id), why);
      close_path(path.id, MigrationCause::path_failure, why);
      update();
      return std::nullopt;
    }
    const auto plaintext = record.subspan(wire::kRecordHeaderSize, *size - wire::kRecordOverhead);
    const auto taken = take_frames(path, plaintext);
    if (!taken) return std::nullopt;
    if (*taken != plaintext.size()) {  // records hold whole frames
      log::transport()->warn("conn={} path={} record ends inside a frame", to_hex(id_), to_int(path.id));
      close_path(path.id, MigrationCause::path_failure, "malformed record");
      update();
      return std::nullopt;
    }
    used += *size;
  }
  return std::nullopt;
}

std::size_t Connection::fill_frames(Flowpath& path, std::span<std::byte> out, TimePoint now,
                                    std::vector<session::PayloadRef>* payloads) {
  if (path.shutdown_sent) return 0;  // nothing may follow our TCP FIN
  std::size_t n = 0;
  if (path.confirm_due) {
    n = wire::encode(wire::AckFrame{session_.recv_ack(), session_.recv_window()}, out);
    path.confirm_due = n == 0;
  }
  n += advert_.take(out.subspan(n));
  path.transport_bytes += n;  // not the session's: TCP's acks of them are not deliveries
  return n + session_.poll_transmit(path.id, out.subspan(n), now, payloads);
}

std::size_t Connection::fill_records(Flowpath& path, std::span<std::byte> out, TimePoint now) {
  // Several records per write, each at most one largest frame, so that the
  // peer can open one as soon as it has arrived.
  constexpr std::size_t kLeastRoom = 256;
  std::size_t used = 0;
  while (out.size() - used >= wire::kRecordOverhead + kLeastRoom) {
    const auto room = std::min(wire::kMaxRecordPlaintext, out.size() - used - wire::kRecordOverhead);
    const auto n = fill_frames(path, out.subspan(used + wire::kRecordHeaderSize, room), now);
    if (n == 0) break;
    used += path.sealer->seal(out.subspan(used), n);
    path.transport_bytes += wire::kRecordOverhead;
  }
  return used;
}

asio::awaitable<void> Connection::run_writer(std::shared_ptr<Flowpath> path) {
  auto self = shared_from_this();
  IoBuffer io;
  TimePoint last_large_write{};
  // Without records, DATA payloads stay in the session's output buffer and
  // go out in a gathered write (gathered_write.hpp); reused between writes.
  std::vector<session::PayloadRef> payloads;
  std::vector<iovec> pieces;
  while (!path->closed && !finished_) {
    // What TCP delivered since we last looked may change what is due here
    // and on the other paths. With everything acked there is nothing new
    // to learn (the RTT moves only with acks), and no system call is spent.
    if (awaits_tcp_progress(*path) && report_tcp_progress(*path, Clock::now())) {
      update();
      if (!is_current(path) || finished_) co_return;
    }
    io.allocate();
    payloads.clear();
    const std::size_t n = path->sealer ? fill_records(*path, io.span(), Clock::now())
                                       : fill_frames(*path, io.span(), Clock::now(), &payloads);
    if (n > 0) {
      const bool busy = n > io.size() / 2;  // more is likely due: batch it next time
      const auto ec = co_await write_frames(path->socket, io.span().first(n), payloads, pieces);
      if (busy) {
        io.grow(0);
        last_large_write = Clock::now();
      }
      if (!is_current(path) || finished_) co_return;
      if (ec) {
        close_path(path->id, MigrationCause::path_failure, ec.message());
        update();
        co_return;
      }
      continue;
    }
    // §3.4: in time_wait our last ack is out; the TCP FIN now tells the peer
    // it may free the connection.
    if (session_.state() == session::State::time_wait && !path->shutdown_sent) {
      boost::system::error_code ignored;
      path->socket.shutdown(tcp::socket::shutdown_send, ignored);
      path->shutdown_sent = true;
    }
    if (Clock::now() - last_large_write >= kShrinkAfter) io.release();  // idle until woken
    path->wake.expires_at(TimePoint::max());
    co_await path->wake.async_wait(use_tuple);
  }
}

}  // namespace msocket::transport

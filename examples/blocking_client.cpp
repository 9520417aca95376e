// The blocking facade (msocket/blocking.hpp), for programs written in the
// style of BSD sockets: connect by name, write, read until EOF, close, each
// call waiting for its result. The connection runs on a thread of its own,
// so it keeps following moves while the program does something else.
//
// usage: blocking_client NAME SERVICE_URL MESSAGE   (against echo_server)
#include <array>
#include <chrono>
#include <cstdio>
#include <span>
#include <string>

#include <msocket/blocking.hpp>

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: blocking_client NAME SERVICE_URL MESSAGE\n");
    return 2;
  }
  const std::string name = argv[1], message = argv[3];
  msocket::Options options;
  options.name_service.assign(argv[2]);
  options.connect_deadline = std::chrono::seconds(10);
  auto stream = msocket::blocking::stream::connect(name, "", options);
  if (!stream) {
    std::fprintf(stderr, "blocking_client: %s: %s\n", name.c_str(), stream.error().message().c_str());
    return 1;
  }
  if (auto written = stream->write_all(std::as_bytes(std::span(message))); !written) {
    std::fprintf(stderr, "blocking_client: %s\n", written.error().message().c_str());
    return 1;
  }
  stream->shutdown_write();
  std::array<std::byte, 16384> buffer;
  for (;;) {
    auto n = stream->read_some(buffer);
    if (!n) {
      std::fprintf(stderr, "blocking_client: %s\n", n.error().message().c_str());
      return 1;
    }
    if (*n == 0) break;  // the server's EOF
    std::fwrite(buffer.data(), 1, *n, stdout);
  }
  return stream->close() ? 0 : 1;
}

#include "relay/child_process.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <memory>

#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>

#include "core/log.hpp"

extern char** environ;

namespace msocket::relay {
namespace {

using error_code = boost::system::error_code;

error_code system_error(int code) { return error_code(code, boost::system::system_category()); }

// A posix_spawn file-actions or attributes object, destroyed with the scope
// once initialised.
template <class Object, int (*Destroy)(Object*)>
class SpawnObject {
 public:
  SpawnObject() = default;
  ~SpawnObject() {
    if (initialised_) Destroy(&object_);
  }
  SpawnObject(const SpawnObject&) = delete;
  SpawnObject& operator=(const SpawnObject&) = delete;
  int init(int (*initialise)(Object*)) {
    const int rc = initialise(&object_);
    initialised_ = rc == 0;
    return rc;
  }
  Object* get() { return &object_; }

 private:
  Object object_{};
  bool initialised_ = false;
};

using SpawnActions = SpawnObject<posix_spawn_file_actions_t, posix_spawn_file_actions_destroy>;
using SpawnAttributes = SpawnObject<posix_spawnattr_t, posix_spawnattr_destroy>;

// The child's descriptors: `stdio` as 0 and 1, 2 inherited, nothing above.
// posix_spawn applies the actions in order, so closefrom(3) also closes the
// socket pair's end once it is duplicated. Returns 0 or an errno value.
int prepare_descriptors(SpawnActions& actions, int stdio) {
  int rc = actions.init(posix_spawn_file_actions_init);
  if (!rc) rc = posix_spawn_file_actions_adddup2(actions.get(), stdio, 0);
  if (!rc) rc = posix_spawn_file_actions_adddup2(actions.get(), stdio, 1);
  // Close-on-exec covers what this process opens; this covers what a
  // library opened without it.
  if (!rc) rc = posix_spawn_file_actions_addclosefrom_np(actions.get(), 3);
  return rc;
}

// Every signal at its default (SIGKILL and SIGSTOP cannot be changed) and an
// empty mask: ignoring SIGPIPE is this process's choice, not the child's.
// Returns 0 or an errno value.
int prepare_signals(SpawnAttributes& attributes) {
  sigset_t defaults, none;
  sigfillset(&defaults);
  sigdelset(&defaults, SIGKILL);
  sigdelset(&defaults, SIGSTOP);
  sigemptyset(&none);
  int rc = attributes.init(posix_spawnattr_init);
  if (!rc) rc = posix_spawnattr_setsigdefault(attributes.get(), &defaults);
  if (!rc) rc = posix_spawnattr_setsigmask(attributes.get(), &none);
  if (!rc) rc = posix_spawnattr_setflags(attributes.get(), POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
  return rc;
}

// Watches one child until it has exited, then reaps it. Owned by the
// handler it has pending: it lives as long as the child, or until the
// io_context goes away (the child is then left to init).
class ExitWatch : public std::enable_shared_from_this<ExitWatch> {
 public:
  ExitWatch(asio::any_io_executor ex, pid_t pid) : pid_(pid), pidfd_(ex), timer_(ex) {
    // By number: glibc 2.36's <sys/pidfd.h> lacks extern "C". A pidfd is
    // close-on-exec by definition.
    const auto fd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
    error_code ec;
    if (fd >= 0) pidfd_.assign(fd, ec);
    if (fd < 0 || ec) log::tool()->debug("no pidfd for child {}: checking every second", pid);
  }

  // Reaps the child if it has exited, else waits for it to.
  void wait() {
    if (::waitpid(pid_, nullptr, WNOHANG) != 0) return;  // reaped (or no longer ours)
    auto on_event = [self = shared_from_this()](error_code ec) {
      if (!ec) self->wait();
    };
    if (pidfd_.is_open()) {
      pidfd_.async_wait(asio::posix::stream_descriptor::wait_read, on_event);
    } else {
      timer_.expires_after(std::chrono::seconds(1));
      timer_.async_wait(on_event);
    }
  }

 private:
  pid_t pid_;
  asio::posix::stream_descriptor pidfd_;  // readable once the child has exited
  asio::steady_timer timer_;
};

}  // namespace

result<pid_t> spawn_child(const ChildSpec& spec, int stdio) {
  if (spec.argv.empty()) return system_error(EINVAL);
  std::vector<char*> argv;
  for (const auto& a : spec.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  std::vector<std::string> env_store;
  for (char** e = environ; *e; ++e) env_store.emplace_back(*e);
  env_store.insert(env_store.end(), spec.env.begin(), spec.env.end());
  std::vector<char*> envp;
  for (auto& e : env_store) envp.push_back(e.data());
  envp.push_back(nullptr);

  SpawnActions actions;
  if (const int rc = prepare_descriptors(actions, stdio)) return system_error(rc);
  SpawnAttributes attributes;
  if (const int rc = prepare_signals(attributes)) return system_error(rc);
  pid_t pid = -1;
  const int rc = ::posix_spawnp(&pid, argv[0], actions.get(), attributes.get(), argv.data(), envp.data());
  if (rc != 0) return system_error(rc);
  return pid;
}

void reap_when_exited(asio::any_io_executor ex, pid_t pid) {
  if (pid <= 0) return;
  if (::waitpid(pid, nullptr, WNOHANG) != 0) return;  // the common case: it has exited
  std::make_shared<ExitWatch>(std::move(ex), pid)->wait();
}

}  // namespace msocket::relay

// Working inside a network namespace without starting a process: a thread
// that enters it (setns(2) moves the calling thread only, so the others
// stay where they are), and a file of the namespace opened from inside and
// read from anywhere. Needs root. Errors throw std::runtime_error.
#pragma once

#include <functional>
#include <string>

namespace msocket::testbed {

// Moves the calling thread into the named namespace `ns` (/run/netns/NS).
// Throws if it cannot be opened or entered.
void enter_namespace(const std::string& ns);

// Runs `work` on a thread of its own inside `ns` and waits for it; what
// `work` throws (or entering throws) is rethrown here.
void run_in_namespace(const std::string& ns, const std::function<void()>& work);

// Opens `file` read-only from inside namespace `ns` and returns the
// descriptor (the caller closes it): a /proc/thread-self/net file keeps
// showing the opener's namespace after it has left, so it can be read from
// anywhere. Throws if the namespace or the file cannot be opened.
int open_in_namespace(const std::string& ns, const char* file);

}  // namespace msocket::testbed

// A fresh directory under the system's temporary directory, removed with
// everything in it when the test is done.
#pragma once

#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <string>

struct TempDir {
  std::filesystem::path path;

  // `label` names the test in the directory's name, for anyone looking at
  // what a crashed test left behind.
  explicit TempDir(const std::string& label)
      : path(std::filesystem::temp_directory_path() / ("msocket-" + label + "-" + std::to_string(::getpid()) + "-" +
                                                       std::to_string(reinterpret_cast<std::uintptr_t>(this)))) {
    std::filesystem::create_directories(path);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
};

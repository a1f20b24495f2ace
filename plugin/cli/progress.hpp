#pragma once
// Live progress of the parts being written. On a terminal a status line is redrawn twice a second
// (per part: bytes so far and rate); elsewhere nothing is drawn and each finished part is logged.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <list>
#include <mutex>
#include <string>
#include <thread>

namespace agentchat {

class Progress {
 public:
  struct Part {
    std::string name;
    std::atomic<std::uint64_t> bytes{0};
    std::atomic<bool> done{false};
    std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
  };

  explicit Progress(bool terminal);
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  Part& add(const std::string& name);
  // Logs "<name>: <size> in <s> s (<rate>)" and marks it done.
  void finished(Part& part, std::uint64_t stored);

 private:
  void draw();
  bool terminal_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::list<Part> parts_;  // stable addresses
  bool stop_ = false;
  std::thread ticker_;
};

}  // namespace agentchat

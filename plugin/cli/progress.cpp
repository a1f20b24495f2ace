#include "plugin/cli/progress.hpp"

#include "base/elapsed.hpp"
#include "base/human_units.hpp"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cstdio>

namespace agentchat {

Progress::Progress(bool terminal) : terminal_(terminal) {
  if (!terminal_) return;
  ticker_ = std::thread([this] {
    std::unique_lock lock(mutex_);
    while (!stop_) {
      wake_.wait_for(lock, std::chrono::milliseconds(500));
      if (!stop_) draw();
    }
    std::fputs("\r\033[K", stderr);
  });
}

Progress::~Progress() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  if (ticker_.joinable()) ticker_.join();
}

Progress::Part& Progress::add(const std::string& name) {
  std::lock_guard lock(mutex_);
  auto& part = parts_.emplace_back();
  part.name = name;
  return part;
}

void Progress::draw() {
  std::string line;
  for (const auto& part : parts_) {
    if (part.done) continue;
    double seconds = std::max(base::secondsSince(part.started), 0.001);
    std::uint64_t bytes = part.bytes;
    line += (line.empty() ? "" : " | ") + part.name + " " + base::humanBytes(bytes) + " " +
            base::humanBytes(static_cast<std::uint64_t>(static_cast<double>(bytes) / seconds)) + "/s";
  }
  if (line.size() > 200) line = line.substr(0, 197) + "...";
  std::fprintf(stderr, "\r\033[K%s", line.c_str());
  std::fflush(stderr);
}

void Progress::finished(Part& part, std::uint64_t stored) {
  std::lock_guard lock(mutex_);
  part.done = true;
  if (terminal_) std::fputs("\r\033[K", stderr);
  double seconds = base::secondsSince(part.started);
  spdlog::info("{}: {} read, {} stored, {:.1f} s ({}/s)", part.name, base::humanBytes(part.bytes),
               base::humanBytes(stored), seconds,
               base::humanBytes(
                   static_cast<std::uint64_t>(static_cast<double>(part.bytes) / std::max(seconds, 0.001))));
}

}  // namespace agentchat

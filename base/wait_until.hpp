#pragma once
// Polls `ready` every half second until it returns true; throws std::runtime_error naming `what`
// after `timeout`. `ready` may throw to give up early (a container that exited).
#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>

namespace base {

template <typename Ready>
void waitUntil(const std::string& what, std::chrono::seconds timeout, Ready ready) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!ready()) {
    if (std::chrono::steady_clock::now() > deadline)
      throw std::runtime_error(what + " did not become ready within " + std::to_string(timeout.count()) +
                               " s");
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
}

}  // namespace base

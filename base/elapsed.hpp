#pragma once
// Durations as the manifest, the audit log and progress report them: seconds, fractional.
#include <chrono>

namespace base {

inline double secondsSince(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

}  // namespace base

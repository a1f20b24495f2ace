#pragma once
// Times as the manifest and verified.json write them: RFC 3339, UTC, whole seconds.
#include <ctime>
#include <string>

namespace base {

inline std::string utcTimestamp(std::time_t when = std::time(nullptr)) {
  std::tm tm{};
  ::gmtime_r(&when, &tm);
  char out[32];
  std::strftime(out, sizeof out, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return out;
}

}  // namespace base

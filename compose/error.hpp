#pragma once
// Errors in compose files name the file, the line and the key: "docker-compose.prod.yml:12:
// services.redis.command: ..."
#include <stdexcept>
#include <string>

#include "base/error.hpp"

namespace compose {

// A compose file or setting the tool cannot use: a usage error (exit 2).
class Error : public base::Error {
 public:
  explicit Error(const std::string& message) : base::Error(message, base::exit_code::kUsage) {}
  Error(const std::string& file, int line, const std::string& keyPath, const std::string& message)
      : base::Error(format(file, line, keyPath, message), base::exit_code::kUsage) {}

  static std::string format(const std::string& file, int line, const std::string& keyPath,
                            const std::string& message) {
    std::string out;
    if (!file.empty()) out += file + (line > 0 ? ":" + std::to_string(line) : std::string{}) + ": ";
    if (!keyPath.empty()) out += keyPath + ": ";
    return out + message;
  }
};

}  // namespace compose

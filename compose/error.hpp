#pragma once
// Errors in compose files name the file, the line and the key: "docker-compose.prod.yml:12:
// services.redis.command: ..."
#include <stdexcept>
#include <string>

namespace compose {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}
  Error(const std::string& file, int line, const std::string& keyPath, const std::string& message)
      : std::runtime_error(format(file, line, keyPath, message)) {}

  static std::string format(const std::string& file, int line, const std::string& keyPath,
                            const std::string& message) {
    std::string out;
    if (!file.empty()) out += file + (line > 0 ? ":" + std::to_string(line) : std::string{}) + ": ";
    if (!keyPath.empty()) out += keyPath + ": ";
    return out + message;
  }
};

}  // namespace compose

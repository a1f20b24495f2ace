#pragma once
// The root of every error this tool throws on purpose: each carries the exit code the command ends
// with when nothing on the way catches it, so the CLI maps them all in one place.
#include <stdexcept>
#include <string>

#include "base/exit_codes.hpp"

namespace base {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message, int exitCode = exit_code::kFailed)
      : std::runtime_error(message), exitCode_(exitCode) {}

  int exitCode() const { return exitCode_; }
  // What the CLI prints: the message, and what to do about it where the class knows more.
  virtual std::string report() const { return what(); }

 private:
  int exitCode_;
};

}  // namespace base

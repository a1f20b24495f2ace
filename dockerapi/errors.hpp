#pragma once
// Typed engine errors: the engine's {"message": ...} plus what a person should do about it.
#include <stdexcept>
#include <string>
#include <string_view>

#include "base/error.hpp"

namespace dockerapi {

enum class ErrorKind {
  Unreachable,  // no connection to the engine at all
  NotFound,     // 404: no such container / volume / image / path
  NotRunning,   // 409 for a container that must be running (or is paused)
  Conflict,     // other 409s: name in use, volume in use, ...
  BadRequest,   // 400: we sent something the engine rejects
  Forbidden,    // 401/403
  Server,       // 5xx
  Protocol,     // the engine answered something we could not understand
  Unsupported,  // a feature this build or this engine does not offer
};

const char* kindName(ErrorKind kind);
// The exit code a command ends with on this kind of error: 3 for the engine itself, 4 for a missing
// thing, 2 for a request the engine rejects, 1 for the rest.
int exitCodeFor(ErrorKind kind);

// An exec given a timeout (ExecSpec::timeoutSeconds) still ran when it passed. The engine has no call
// to stop an exec's process: it may go on running in the container.
class ExecTimedOut : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class EngineError : public base::Error {
 public:
  EngineError(ErrorKind kind, std::string message, int httpStatus = 0, std::string engineMessage = {});

  ErrorKind kind() const { return kind_; }
  int httpStatus() const { return httpStatus_; }
  // The engine's own words, without our context or hint.
  const std::string& engineMessage() const { return engineMessage_; }

 private:
  ErrorKind kind_;
  int httpStatus_;
  std::string engineMessage_;
};

// Builds the error for a non-2xx answer. `what` says what we were doing ("start container mysql-1");
// `body` is the response body, normally {"message": "..."}.
EngineError errorFromResponse(long status, std::string_view body, std::string_view what);

// The error for "could not connect": names the endpoint and what to try.
EngineError unreachableError(std::string_view endpointUrl, std::string_view detail);

}  // namespace dockerapi

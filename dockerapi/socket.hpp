#pragma once
// A plain stream socket to the engine, for the one call libcurl cannot make: the hijacked
// exec connection that we must half-close after writing stdin.
#include "dockerapi/endpoint.hpp"

namespace dockerapi {

class Socket {
 public:
  explicit Socket(const Endpoint& endpoint);  // connects; throws EngineError(Unreachable)
  ~Socket();
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;

  int fd() const { return fd_; }
  void writeAll(const char* data, std::size_t size);  // blocking; for the request head
  void shutdownWrite();

 private:
  int fd_ = -1;
};

}  // namespace dockerapi

#include "dockerapi/socket.hpp"

#include <netdb.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "dockerapi/errors.hpp"

namespace dockerapi {

Socket::Socket(const Endpoint& endpoint) {
  if (endpoint.tls) {
    throw EngineError(ErrorKind::Unsupported,
                      "streaming stdin into a container over a TLS connection (" + endpoint.display() +
                          ") is not supported yet; use a unix socket or plain tcp://");
  }
  if (endpoint.kind == Endpoint::Kind::Unix) {
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    if (endpoint.socketPath.size() >= sizeof(address.sun_path)) {
      throw EngineError(ErrorKind::BadRequest, "socket path too long: " + endpoint.socketPath);
    }
    std::strncpy(address.sun_path, endpoint.socketPath.c_str(), sizeof(address.sun_path) - 1);
    fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0 || ::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
      int error = errno;
      if (fd_ >= 0) ::close(fd_);
      throw unreachableError(endpoint.display(), std::strerror(error));
    }
    return;
  }
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* results = nullptr;
  int rc = ::getaddrinfo(endpoint.host.c_str(), std::to_string(endpoint.port).c_str(), &hints, &results);
  if (rc != 0) throw unreachableError(endpoint.display(), gai_strerror(rc));
  std::string lastError = "no address";
  for (addrinfo* ai = results; ai != nullptr; ai = ai->ai_next) {
    fd_ = ::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd_ >= 0 && ::connect(fd_, ai->ai_addr, ai->ai_addrlen) == 0) break;
    lastError = std::strerror(errno);
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  ::freeaddrinfo(results);
  if (fd_ < 0) throw unreachableError(endpoint.display(), lastError);
}

Socket::~Socket() {
  if (fd_ >= 0) ::close(fd_);
}

void Socket::writeAll(const char* data, std::size_t size) {
  while (size > 0) {
    ssize_t written = ::send(fd_, data, size, MSG_NOSIGNAL);
    if (written < 0 && errno == EINTR) continue;
    if (written <= 0) {
      throw EngineError(ErrorKind::Protocol,
                        std::string("writing to the engine failed: ") + std::strerror(errno));
    }
    data += written;
    size -= static_cast<std::size_t>(written);
  }
}

void Socket::shutdownWrite() {
  ::shutdown(fd_, SHUT_WR);
}

}  // namespace dockerapi

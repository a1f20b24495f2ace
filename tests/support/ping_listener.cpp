#include "tests/support/ping_listener.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace testsupport {

PingListener::PingListener(int status) : status_(status) {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t size = sizeof addr;
  ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  ::listen(fd_, 8);
  ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &size);
  port_ = ntohs(addr.sin_port);
  thread_ = std::thread([this] { serve(); });
}

PingListener::~PingListener() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  thread_.join();
  ::close(fd_);
}

std::string PingListener::url() const {
  return "http://127.0.0.1:" + std::to_string(port_) + "/ping/5b1c9e2a-token";
}

void PingListener::setStatus(int status) {
  std::lock_guard lock(mutex_);
  status_ = status;
}

std::vector<ReceivedRequest> PingListener::waitFor(std::size_t count, std::chrono::seconds timeout) {
  std::unique_lock lock(mutex_);
  arrived_.wait_for(lock, timeout, [&] { return requests_.size() >= count; });
  return requests_;
}

void PingListener::serve() {
  while (true) {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
    }
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, 100) != 1) continue;
    int client = ::accept(fd_, nullptr, nullptr);
    if (client < 0) continue;
    std::string got;
    char buffer[4096];
    while (true) {
      auto headerEnd = got.find("\r\n\r\n");
      if (headerEnd != std::string::npos) {
        auto at = got.find("Content-Length: ");
        std::size_t length = at == std::string::npos || at > headerEnd ? 0 : std::stoul(got.substr(at + 16));
        if (got.size() >= headerEnd + 4 + length) break;
      }
      pollfd c{client, POLLIN, 0};
      if (::poll(&c, 1, 10000) != 1) break;
      ssize_t n = ::read(client, buffer, sizeof buffer);
      if (n <= 0) break;
      got.append(buffer, static_cast<std::size_t>(n));
    }
    ReceivedRequest request;
    auto space = got.find(' '), space2 = got.find(' ', space + 1);
    if (space != std::string::npos && space2 != std::string::npos) {
      request.method = got.substr(0, space);
      request.path = got.substr(space + 1, space2 - space - 1);
    }
    auto headerEnd = got.find("\r\n\r\n");
    if (headerEnd != std::string::npos) request.body = got.substr(headerEnd + 4);
    int status;
    {
      std::lock_guard lock(mutex_);
      status = status_;
    }
    std::string reply =
        "HTTP/1.1 " + std::to_string(status) + " X\r\nContent-Length: 2\r\nConnection: close\r\n\r\nOK";
    (void)!::write(client, reply.data(), reply.size());
    ::close(client);
    {
      std::lock_guard lock(mutex_);
      requests_.push_back(std::move(request));
    }
    arrived_.notify_all();
  }
}

}  // namespace testsupport

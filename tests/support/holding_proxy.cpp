#include "holding_proxy.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <stdexcept>

namespace testsupport {

namespace {

const std::regex kRequestLine(R"(\b(GET|HEAD|POST|PUT|DELETE) (/[^ \r\n]*) HTTP/1\.[01]\r\n)");

sockaddr_un unixAddress(const std::string& path) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (path.size() >= sizeof address.sun_path) throw std::runtime_error("socket path too long: " + path);
  std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
  return address;
}

bool writeAll(int fd, const char* data, std::size_t size) {
  while (size > 0) {
    ssize_t n = ::send(fd, data, size, MSG_NOSIGNAL);
    if (n <= 0) return false;
    data += n;
    size -= static_cast<std::size_t>(n);
  }
  return true;
}

// What a Go HTTP server (the engine) does after answering a request before its body was read: it
// reads on and discards the rest (up to 256 KiB there; here until a quiet half second), so the
// client gets to read the answer instead of failing to send.
void drainBriefly(int fd) {
  char buffer[65536];
  for (int rounds = 0; rounds < 200; ++rounds) {
    pollfd ready{fd, POLLIN, 0};
    if (::poll(&ready, 1, 500) <= 0 || ::read(fd, buffer, sizeof buffer) <= 0) return;
  }
}

// Copies until either side closes, then closes the other's sending half.
void pump(int from, int to) {
  char buffer[65536];
  for (;;) {
    ssize_t n = ::read(from, buffer, sizeof buffer);
    if (n <= 0 || !writeAll(to, buffer, static_cast<std::size_t>(n))) break;
  }
  ::shutdown(to, SHUT_WR);
}

}  // namespace

HoldingProxy::HoldingProxy(const std::string& upstream, const std::filesystem::path& dir)
    : upstream_(upstream) {
  if (upstream.rfind("unix://", 0) == 0) {
    socketPath_ = dir / "proxy.sock";
    std::filesystem::remove(socketPath_);
    listener_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    auto address = unixAddress(socketPath_.string());
    if (::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0)
      throw std::runtime_error("proxy: cannot bind " + socketPath_.string() + ": " + std::strerror(errno));
    address_ = "unix://" + socketPath_.string();
  } else if (upstream.rfind("tcp://", 0) == 0) {
    listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0)
      throw std::runtime_error(std::string("proxy: cannot bind a loopback port: ") + std::strerror(errno));
    socklen_t length = sizeof address;
    ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length);
    address_ = "http://127.0.0.1:" + std::to_string(ntohs(address.sin_port));
  } else {
    throw std::runtime_error("proxy: upstream must be unix:// or tcp://, not " + upstream);
  }
  if (::listen(listener_, 64) != 0) throw std::runtime_error("proxy: listen failed");
  acceptor_ = std::thread([this] { acceptLoop(); });
}

HoldingProxy::~HoldingProxy() {
  stopping_ = true;
  goAway();  // first: what is still held is dropped, never sent
  release();
  if (acceptor_.joinable()) acceptor_.join();
  std::vector<std::thread> workers;
  {
    std::lock_guard lock(mutex_);
    workers.swap(workers_);
  }
  for (auto& w : workers) w.join();
}

void HoldingProxy::holdAt(const std::string& at, const std::vector<std::string>& after) {
  std::lock_guard lock(mutex_);
  rules_.push_back({std::regex(at), {after.begin(), after.end()}, true, 1, 0});
}

void HoldingProxy::failAt(const std::string& at, const std::vector<std::string>& after, int times, int skip) {
  std::lock_guard lock(mutex_);
  rules_.push_back({std::regex(at), {after.begin(), after.end()}, false, times, skip});
}

bool HoldingProxy::waitHeld(std::chrono::seconds timeout) {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, timeout, [this] { return reached_; });
}

void HoldingProxy::release() {
  bool wasHeld;
  {
    std::lock_guard lock(mutex_);
    wasHeld = held_;
    held_ = false;
  }
  changed_.notify_all();
  if (!wasHeld || stopping_) return;
  int probe = connectUpstream();
  if (probe < 0) {
    goAway();
  } else {
    ::close(probe);
  }
}

std::vector<std::string> HoldingProxy::requests() const {
  std::lock_guard lock(mutex_);
  return seen_;
}

void HoldingProxy::goAway() {
  std::lock_guard lock(mutex_);
  gone_ = true;
  if (!socketPath_.empty()) std::filesystem::remove(socketPath_);
  if (listener_ >= 0) ::shutdown(listener_, SHUT_RDWR);
  for (int fd : open_) ::shutdown(fd, SHUT_RDWR);
  changed_.notify_all();
}

int HoldingProxy::connectUpstream() const {
  int fd = -1;
  if (upstream_.rfind("unix://", 0) == 0) {
    fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    auto address = unixAddress(upstream_.substr(7));
    if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0) return fd;
  } else {
    std::string hostPort = upstream_.substr(6);
    auto colon = hostPort.rfind(':');
    fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<std::uint16_t>(std::stoi(hostPort.substr(colon + 1))));
    ::inet_pton(AF_INET, hostPort.substr(0, colon).c_str(), &address.sin_addr);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0) return fd;
  }
  ::close(fd);
  return -1;
}

void HoldingProxy::acceptLoop() {
  for (;;) {
    int client = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0) {
      if (errno == EINTR) continue;
      break;
    }
    std::lock_guard lock(mutex_);
    if (gone_) {
      ::close(client);
      continue;
    }
    open_.insert(client);
    workers_.emplace_back([this, client] { serve(client); });
  }
  ::close(listener_);
}

HoldingProxy::Verdict HoldingProxy::judge(const std::string& chunk) {
  std::lock_guard lock(mutex_);
  Verdict verdict = Verdict::Pass;
  for (auto it = std::sregex_iterator(chunk.begin(), chunk.end(), kRequestLine); it != std::sregex_iterator();
       ++it) {
    std::string line = (*it)[1].str() + " " + (*it)[2].str();  // METHOD PATH?QUERY
    seen_.push_back(line);
    for (auto& rule : rules_) {
      if (rule.times == 0) continue;
      if (rule.afterSeen < rule.after.size()) {
        if (std::regex_search(line, rule.after[rule.afterSeen])) ++rule.afterSeen;
        continue;
      }
      if (!std::regex_search(line, rule.at)) continue;
      if (rule.skip > 0) {
        --rule.skip;
        continue;
      }
      if (rule.times > 0) --rule.times;
      if (rule.hold) {
        held_ = reached_ = true;
        changed_.notify_all();
        verdict = Verdict::Hold;
      } else if (verdict == Verdict::Pass) {
        verdict = Verdict::Fail;
      }
    }
  }
  return verdict;
}

void HoldingProxy::waitWhileHeld() {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [this] { return !held_ || gone_; });
}

void HoldingProxy::serve(int client) {
  int upstream = connectUpstream();
  std::thread back;
  if (upstream >= 0) {
    {
      std::lock_guard lock(mutex_);
      open_.insert(upstream);
    }
    back = std::thread([client, upstream] { pump(upstream, client); });
    char buffer[65536];
    bool clientDone = false;  // the client closed its sending half: the answer may still come
    for (;;) {
      ssize_t n = ::read(client, buffer, sizeof buffer);
      if (n <= 0) {
        clientDone = n == 0;
        break;
      }
      std::string chunk(buffer, static_cast<std::size_t>(n));
      Verdict verdict = judge(chunk);
      waitWhileHeld();
      if (verdict == Verdict::Fail) {
        static const std::string body = R"({"message":"failed on purpose by the test's proxy"})";
        std::string answer =
            "HTTP/1.1 500 Internal Server Error\r\nContent-Type: application/json\r\nContent-Length: " +
            std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
        writeAll(client, answer.data(), answer.size());
        ::shutdown(client, SHUT_WR);
        drainBriefly(client);
        break;
      }
      bool gone;
      {
        std::lock_guard lock(mutex_);
        gone = gone_;
      }
      if (gone || !writeAll(upstream, chunk.data(), chunk.size())) break;
    }
    if (clientDone) {
      ::shutdown(upstream, SHUT_WR);  // e.g. the end of an exec's stdin
    } else {
      ::shutdown(upstream, SHUT_RDWR);
      ::shutdown(client, SHUT_RDWR);
    }
    back.join();
  }
  std::lock_guard lock(mutex_);
  open_.erase(client);
  ::close(client);
  if (upstream >= 0) {
    open_.erase(upstream);
    ::close(upstream);
  }
}

}  // namespace testsupport

#include "dockerapi/hijack.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <vector>

#include "dockerapi/errors.hpp"
#include "dockerapi/socket.hpp"

namespace dockerapi {

namespace {

constexpr std::size_t kChunk = 256 * 1024;

[[noreturn]] void ioFailure(const char* what) {
  throw EngineError(ErrorKind::Protocol,
                    std::string("hijacked exec connection: ") + what + ": " + std::strerror(errno));
}

// Reads the response head; returns the status and leaves any bytes after it in `rest`.
long readHead(int fd, std::string& head, std::string& rest) {
  char buffer[4096];
  while (true) {
    auto end = head.find("\r\n\r\n");
    if (end != std::string::npos) {
      rest = head.substr(end + 4);
      head.resize(end + 4);
      break;
    }
    if (head.size() > 64 * 1024)
      throw EngineError(ErrorKind::Protocol, "engine sent an oversized response head");
    ssize_t got = ::recv(fd, buffer, sizeof(buffer), 0);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) ioFailure("reading the response");
    if (got == 0) throw EngineError(ErrorKind::Protocol, "engine closed the connection before answering");
    head.append(buffer, static_cast<std::size_t>(got));
  }
  auto space = head.find(' ');
  return space == std::string::npos ? 0 : std::atol(head.c_str() + space + 1);
}

std::string errorBody(int fd, const std::string& head, std::string body) {
  // Error answers are ordinary responses with a Content-Length; read what is announced (bounded).
  std::size_t wanted = 0;
  for (const char* name : {"Content-Length:", "content-length:"}) {
    auto at = head.find(name);
    if (at != std::string::npos) wanted = std::strtoul(head.c_str() + at + std::strlen(name), nullptr, 10);
  }
  wanted = std::min<std::size_t>(wanted, 64 * 1024);
  char buffer[4096];
  while (body.size() < wanted) {
    ssize_t got = ::recv(fd, buffer, sizeof(buffer), 0);
    if (got <= 0) break;
    body.append(buffer, static_cast<std::size_t>(got));
  }
  return body;
}

}  // namespace

void hijackedPost(const Endpoint& endpoint, const std::string& target, const std::string& jsonBody,
                  base::ChunkSource input, base::ChunkSink output,
                  std::optional<std::chrono::steady_clock::time_point> deadline) {
  Socket socket(endpoint);
  std::string request = "POST " + target +
                        " HTTP/1.1\r\nHost: docker\r\nUser-Agent: docker-agentchat\r\n"
                        "Content-Type: application/json\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n"
                        "Content-Length: " +
                        std::to_string(jsonBody.size()) + "\r\n\r\n" + jsonBody;
  socket.writeAll(request.data(), request.size());

  std::string head, early;
  long status = readHead(socket.fd(), head, early);
  if (status != 101 && status != 200) {
    throw errorFromResponse(status, errorBody(socket.fd(), head, early), "start exec");
  }
  if (!early.empty()) output(early);

  int fd = socket.fd();
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
  std::vector<char> pending(kChunk);
  std::size_t pendingBegin = 0, pendingEnd = 0;
  bool inputOpen = static_cast<bool>(input);
  if (!inputOpen) socket.shutdownWrite();
  std::vector<char> readBuffer(kChunk);

  // One thread, poll(): writing stdin and reading output interleave, so a process that writes a
  // lot before it has read all its input cannot deadlock us.
  while (true) {
    pollfd pfd{fd, POLLIN, 0};
    if (inputOpen) pfd.events |= POLLOUT;
    int wait = -1;
    if (deadline) {
      auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(*deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) throw ExecTimedOut("the process ran past its deadline");
      wait = static_cast<int>(std::min<std::int64_t>(left.count() + 1, 60'000));
    }
    int ready = ::poll(&pfd, 1, wait);
    if (ready < 0) {
      if (errno == EINTR) continue;
      ioFailure("poll");
    }
    if (ready == 0) continue;  // the deadline is checked above
    if (pfd.revents & (POLLIN | POLLHUP | POLLERR)) {
      ssize_t got = ::recv(fd, readBuffer.data(), readBuffer.size(), 0);
      if (got == 0) break;  // the engine closed: the process has exited
      if (got < 0 && errno != EAGAIN && errno != EINTR) {
        if (errno == ECONNRESET) break;
        ioFailure("reading output");
      }
      if (got > 0) output(std::string_view(readBuffer.data(), static_cast<std::size_t>(got)));
    }
    if (inputOpen && (pfd.revents & (POLLOUT | POLLERR))) {
      if (pendingBegin == pendingEnd) {
        pendingBegin = 0;
        pendingEnd = input(pending.data(), pending.size());
        if (pendingEnd == 0) {
          inputOpen = false;
          socket.shutdownWrite();
          continue;
        }
      }
      ssize_t sent = ::send(fd, pending.data() + pendingBegin, pendingEnd - pendingBegin, MSG_NOSIGNAL);
      if (sent > 0) {
        pendingBegin += static_cast<std::size_t>(sent);
      } else if (sent < 0 && (errno == EPIPE || errno == ECONNRESET)) {
        inputOpen = false;  // the process stopped reading (or exited); collect what it wrote
      } else if (sent < 0 && errno != EAGAIN && errno != EINTR) {
        ioFailure("writing stdin");
      }
    }
  }
}

}  // namespace dockerapi

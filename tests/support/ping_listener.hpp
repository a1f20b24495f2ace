#pragma once
// An HTTP listener on 127.0.0.1 that answers every request with `status` and keeps what arrived:
// the healthchecks.io-style server the notify tests ping.
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace testsupport {

struct ReceivedRequest {
  std::string method, path, body;
};

class PingListener {
 public:
  explicit PingListener(int status = 200);
  ~PingListener();
  PingListener(const PingListener&) = delete;
  PingListener& operator=(const PingListener&) = delete;

  // http://127.0.0.1:PORT/ping/UUID-like-token
  std::string url() const;
  // Waits until `count` requests arrived (or `timeout` passed); returns those there are.
  std::vector<ReceivedRequest> waitFor(std::size_t count,
                                       std::chrono::seconds timeout = std::chrono::seconds(60));
  void setStatus(int status);

 private:
  void serve();
  int fd_ = -1;
  int port_ = 0;
  int status_;
  bool stopping_ = false;
  std::mutex mutex_;
  std::condition_variable arrived_;
  std::vector<ReceivedRequest> requests_;
  std::thread thread_;
};

}  // namespace testsupport

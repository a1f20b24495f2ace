#pragma once
// A stand-in for an engine's socket (or an S3 server's port) that passes every byte on and, at a
// request the test names, freezes all traffic or answers with a failure: how an end-to-end test
// reaches a moment of a run it cannot time (kill -9 with the app paused, the engine stopped mid
// restore), with nothing of the kind in the product.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <regex>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace testsupport {

class HoldingProxy {
 public:
  // `upstream`: "unix:///path/docker.sock" or "tcp://127.0.0.1:PORT". The proxy listens on a unix
  // socket in `dir` for a unix upstream, on a loopback port for a tcp one.
  HoldingProxy(const std::string& upstream, const std::filesystem::path& dir);
  // Drops what it still holds: a request held when its client was killed never reaches the upstream.
  ~HoldingProxy();
  HoldingProxy(const HoldingProxy&) = delete;
  HoldingProxy& operator=(const HoldingProxy&) = delete;

  // Where clients connect: unix:///…/proxy.sock (for DOCKER_HOST) or http://127.0.0.1:PORT.
  std::string address() const { return address_; }

  // The first request whose request line ("POST /v1.41/containers/x/pause") matches `at`, once
  // requests matching each of `after` have passed in that order, freezes every byte towards the
  // upstream until release(). Regexes are ECMAScript, searched in "METHOD PATH?QUERY".
  void holdAt(const std::string& at, const std::vector<std::string>& after = {});
  // The requests matching `at` (after `after`, as above), but for the first `skip` of them, are answered 500
  // with a JSON message and their connection closed: `times` of them (< 0: every one). They never
  // reach the upstream.
  void failAt(const std::string& at, const std::vector<std::string>& after = {}, int times = 1, int skip = 0);
  // True once a hold has been reached (false after `timeout`).
  bool waitHeld(std::chrono::seconds timeout);
  // Lets the held bytes go on. When the upstream no longer answers by then (the test stopped the
  // engine), the proxy goes away with it: its socket is removed and every connection is closed,
  // so the client sees what it would see of a stopped engine.
  void release();
  // Every request line seen so far, in order.
  std::vector<std::string> requests() const;

 private:
  struct Rule {
    std::regex at;
    std::vector<std::regex> after;
    bool hold = false;
    int times = 1;
    int skip = 0;
    std::size_t afterSeen = 0;  // how many of `after` have passed
  };
  enum class Verdict { Pass, Hold, Fail };

  void acceptLoop();
  void serve(int client);
  Verdict judge(const std::string& chunk);
  int connectUpstream() const;
  void waitWhileHeld();
  void goAway();

  std::string upstream_, address_;
  std::filesystem::path socketPath_;
  int listener_ = -1;
  std::thread acceptor_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<Rule> rules_;
  std::vector<std::string> seen_;
  std::set<int> open_;
  std::vector<std::thread> workers_;
  bool held_ = false, reached_ = false, gone_ = false;
  std::atomic<bool> stopping_{false};
};

}  // namespace testsupport

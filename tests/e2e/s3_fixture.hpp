#pragma once
// For the S3 client tests: a real s3rver started through tests/s3/s3rver.sh for the test's life,
// and a loopback TCP proxy that injects the network failures the retry paths must survive.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "volumes/s3/config.hpp"

namespace e2e {

class S3rver {
 public:
  // Starts s3rver on a free loopback port with a fresh directory and bucket; whyNot says why not.
  // With logRequests, s3rver appends every request it gets to requestLog() (S3RVER_REQUEST_LOG).
  explicit S3rver(bool logRequests = false);
  ~S3rver();
  bool running() const { return pid_ > 0; }
  const std::string& whyNot() const { return whyNot_; }
  int port() const { return port_; }
  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }
  // A client configuration for the bucket, small parts allowed and short retry delays.
  volumes::s3::Config config() const;
  // The request log: a line "METHOD PATH?QUERY" per request, as sent (percent-encoded), in the
  // order they arrived; "" unless started with logRequests.
  const std::string& requestLog() const { return requestLog_; }
  // Its lines from line `from` on (0: all): take requests().size() before a command, then
  // requests(mark) after it for what that command asked for.
  std::vector<std::string> requests(std::size_t from = 0) const;

  static constexpr const char* kBucket = "agentchat-test";

 private:
  int port_ = 0;
  long pid_ = 0;
  std::string dir_;
  std::string requestLog_;
  std::string whyNot_;
};

// Forwards 127.0.0.1:port() to the target port. Connections numbered below dropFirst are closed
// on accept (the client sees an empty reply); connection number cutConnection forwards only
// cutAfterBytes bytes of the server's answer and then closes (a download cut mid-body).
class FaultyProxy {
 public:
  FaultyProxy(int targetPort, int dropFirst, int cutConnection = -1, std::uint64_t cutAfterBytes = 0);
  ~FaultyProxy();
  int port() const { return port_; }
  int connections() const { return connections_.load(); }

 private:
  void acceptLoop();
  void relay(int client, bool cut);

  int targetPort_;
  int dropFirst_;
  int cutConnection_;
  std::uint64_t cutAfterBytes_;
  int listener_ = -1;
  int port_ = 0;
  std::atomic<int> connections_{0};
  std::atomic<bool> stopping_{false};
  std::thread acceptor_;
};

// A test of the plugin against a bucket on s3rver: the S3 settings a command gets, and a state
// directory of its own (removed afterwards).
class BucketTest : public ::testing::Test {
 protected:
  explicit BucketTest(bool logRequests = false) : server_(logRequests) {}
  void SetUp() override;
  void TearDown() override;
  // Endpoint, the key id s3rver accepts with a secret that must never be printed (kSecret), small
  // parts, and the state directory.
  std::map<std::string, std::string> s3Env() const;

  static constexpr const char* kSecret = "agentchat-e2e-secret-7f3a9c";
  S3rver server_;
  std::filesystem::path state_;
};

}  // namespace e2e

// In CI a missing s3rver fails the test; elsewhere it is skipped with a loud message.
#define REQUIRE_S3RVER(server)                                                              \
  if (!(server).running()) {                                                                \
    if (std::getenv("CI") != nullptr) FAIL() << (server).whyNot();                          \
    GTEST_SKIP() << "\n*** SKIPPED: no s3rver (node/npm): " << (server).whyNot() << " ***"; \
  }

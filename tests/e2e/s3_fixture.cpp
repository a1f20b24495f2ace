#include "s3_fixture.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <vector>

#include "e2e_support.hpp"

namespace e2e {

namespace {

int freePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  int port = ntohs(address.sin_port);
  ::close(fd);
  return port;
}

int connectLoopback(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<uint16_t>(port));
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

}  // namespace

S3rver::S3rver(bool logRequests) {
  port_ = freePort();
  dir_ = (std::filesystem::temp_directory_path() / uniqueName("agentchat-s3rver")).string();
  std::map<std::string, std::string> env;
  if (logRequests) {
    requestLog_ = dir_ + ".requests";
    env["S3RVER_REQUEST_LOG"] = requestLog_;
  }
  std::string script = sourceDir() + "/tests/s3/s3rver.sh";
  ProcessResult started =
      runProcess({script, "start", std::to_string(port_), dir_ + "/data", kBucket, dir_ + ".log"}, env);
  if (started.exitCode != 0) {
    whyNot_ = script + " start failed (exit " + std::to_string(started.exitCode) + "): " + started.err;
    return;
  }
  pid_ = std::stol(started.out);
}

S3rver::~S3rver() {
  if (pid_ > 0) runProcess({sourceDir() + "/tests/s3/s3rver.sh", "stop", std::to_string(pid_)});
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
  std::filesystem::remove(dir_ + ".log", ignored);
  if (!requestLog_.empty()) std::filesystem::remove(requestLog_, ignored);
}

std::vector<std::string> S3rver::requests(std::size_t from) const {
  std::vector<std::string> lines;
  if (requestLog_.empty()) return lines;
  std::ifstream in(requestLog_);
  std::string line;
  for (std::size_t n = 0; std::getline(in, line); ++n)
    if (n >= from) lines.push_back(line);
  return lines;
}

volumes::s3::Config S3rver::config() const {
  volumes::s3::Config config;
  config.endpoint = endpoint();
  config.region = "us-east-1";
  config.pathStyle = true;
  config.credentials = {"S3RVER", "S3RVER", ""};
  config.bucket = kBucket;
  config.minPartSize = 1;
  config.retries = 4;
  config.retryBaseDelay = std::chrono::milliseconds(20);
  return config;
}

FaultyProxy::FaultyProxy(int targetPort, int dropFirst, int cutConnection, std::uint64_t cutAfterBytes)
    : targetPort_(targetPort),
      dropFirst_(dropFirst),
      cutConnection_(cutConnection),
      cutAfterBytes_(cutAfterBytes) {
  listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
  int yes = 1;
  ::setsockopt(listener_, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::listen(listener_, 16) != 0) {
    throw std::runtime_error("FaultyProxy: cannot listen on loopback");
  }
  ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length);
  port_ = ntohs(address.sin_port);
  acceptor_ = std::thread([this] { acceptLoop(); });
}

FaultyProxy::~FaultyProxy() {
  stopping_ = true;
  ::shutdown(listener_, SHUT_RDWR);
  ::close(listener_);
  acceptor_.join();
}

void FaultyProxy::acceptLoop() {
  std::vector<std::thread> relays;
  while (!stopping_) {
    pollfd waiting{listener_, POLLIN, 0};
    if (::poll(&waiting, 1, 100) <= 0) continue;
    int client = ::accept(listener_, nullptr, nullptr);
    if (client < 0) continue;
    int number = connections_++;
    if (number < dropFirst_) {
      ::close(client);
      continue;
    }
    relays.emplace_back([this, client, number] { relay(client, number == cutConnection_); });
  }
  for (auto& relay : relays) relay.join();
}

void FaultyProxy::relay(int client, bool cut) {
  int server = connectLoopback(targetPort_);
  std::uint64_t answered = 0;
  char buffer[64 * 1024];
  while (server >= 0 && !stopping_) {
    pollfd ends[2] = {{client, POLLIN, 0}, {server, POLLIN, 0}};
    if (::poll(ends, 2, 100) < 0) break;
    if (ends[0].revents != 0) {
      ssize_t n = ::read(client, buffer, sizeof buffer);
      if (n <= 0 || ::write(server, buffer, static_cast<size_t>(n)) != n) break;
    }
    if (ends[1].revents != 0) {
      ssize_t n = ::read(server, buffer, sizeof buffer);
      if (n <= 0) break;
      std::size_t send = static_cast<std::size_t>(n);
      if (cut && answered + send > cutAfterBytes_) send = static_cast<std::size_t>(cutAfterBytes_ - answered);
      if (send > 0 && ::write(client, buffer, send) != static_cast<ssize_t>(send)) break;
      answered += send;
      if (cut && answered >= cutAfterBytes_) break;
    }
  }
  if (server >= 0) ::close(server);
  ::close(client);
}

void BucketTest::SetUp() {
  state_ = std::filesystem::temp_directory_path() / uniqueName("agentchat-s3-state");
}

void BucketTest::TearDown() {
  std::error_code ec;
  std::filesystem::remove_all(state_, ec);
}

std::map<std::string, std::string> BucketTest::s3Env() const {
  return {{"AWS_ENDPOINT_URL", server_.endpoint()},
          {"AWS_ACCESS_KEY_ID", "S3RVER"},
          {"AWS_SECRET_ACCESS_KEY", kSecret},  // s3rver checks the key id only
          {"AWS_REGION", "us-east-1"},
          {"AGENTCHAT_S3_PART_SIZE_MIB", "5"},
          {"AGENTCHAT_STATE_DIR", state_.string()}};
}

}  // namespace e2e

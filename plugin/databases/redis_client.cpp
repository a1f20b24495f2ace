#include "plugin/databases/redis_client.hpp"

#include "base/text_lines.hpp"
#include "dockerapi/exec.hpp"

namespace agentchat {

std::map<std::string, std::string> parseRedisInfo(const std::string& text) {
  std::map<std::string, std::string> out;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    auto colon = line.find(':');
    if (!line.empty() && line[0] != '#' && colon != std::string::npos)
      out[line.substr(0, colon)] = line.substr(colon + 1);
    start = end + 1;
  }
  return out;
}

RedisClient::RedisClient(dockerapi::Engine& engine, std::string container, std::string service,
                         std::optional<compose::DatabaseLogin> login)
    : engine_(engine),
      container_(std::move(container)),
      service_(std::move(service)),
      login_(std::move(login)) {}

std::vector<std::string> RedisClient::loginEnv() const {
  if (!login_ || login_->password.empty()) return {};
  return {"REDISCLI_AUTH=" + login_->password.reveal()};
}

std::string RedisClient::command(const std::vector<std::string>& args) {
  auto run = [&] {
    std::vector<std::string> cmd{cli_, "--no-auth-warning"};
    cmd.insert(cmd.end(), args.begin(), args.end());
    return dockerapi::execCapture(engine_, container_, {cmd, loginEnv(), {}, {}});
  };
  auto result = run();
  // The engine's answer to a program that is not there (126 on 20.10, 127 later).
  if (!cliSettled_ && (result.exitCode == 126 || result.exitCode == 127)) {
    cli_ = "valkey-cli";
    auto valkey = run();
    if (valkey.exitCode == 126 || valkey.exitCode == 127) {
      throw RedisError("service " + service_ + ": neither redis-cli nor valkey-cli can be run in container " +
                       container_ + " (" + base::firstLine(result.err.empty() ? result.out : result.err) +
                       ")");
    }
    result = std::move(valkey);
  }
  cliSettled_ = true;
  std::string out = result.out;
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  // Without a terminal redis-cli prints error replies as plain text, and may still exit 0.
  bool errorReply = out.starts_with("ERR") || out.starts_with("NOAUTH") || out.starts_with("WRONGPASS") ||
                    out.starts_with("WRONGTYPE") || out.starts_with("LOADING") || out.starts_with("NOPERM");
  if (result.exitCode != 0 || errorReply) {
    std::string why = errorReply ? out : (result.err.empty() ? out : result.err);
    while (!why.empty() && (why.back() == '\n' || why.back() == '\r')) why.pop_back();
    if (why.starts_with("NOAUTH") || why.starts_with("WRONGPASS")) {
      why += login_ ? " (the password comes from the container's " + login_->source + ")"
                    : " (no password found in the container's command or REDIS_PASSWORD)";
    }
    throw RedisError("service " + service_ + ": " + cli_ + " " + (args.empty() ? "" : args.front()) +
                     " failed: " + why);
  }
  return out;
}

bool RedisClient::ping(std::string& error) {
  try {
    std::string reply = command({"PING"});
    if (reply == "PONG") return true;
    error = reply;
  } catch (const std::exception& e) {
    error = e.what();
  }
  return false;
}

std::map<std::string, std::string> RedisClient::info(const std::string& section) {
  std::vector<std::string> args{"INFO"};
  if (!section.empty()) args.push_back(section);
  return parseRedisInfo(command(args));
}

}  // namespace agentchat

#pragma once
// A Redis server as the flows see it through `redis-cli` execs in the fake engine: PING, INFO,
// CONFIG GET, BGSAVE (which writes dump.rdb into the data volume), LASTSAVE. Just enough for
// plugin/databases/redis_*.cpp; the keys are a map whose dump is a readable stand-in for an RDB.
#include <atomic>
#include <map>
#include <memory>
#include <string>

#include "tests/support/fake_engine.hpp"

namespace agentchat_test {

class FakeRedis {
 public:
  // Answers redis-cli in `container`, whose /data is the volume `dataVolume`.
  FakeRedis(FakeEngine& engine, std::string container, std::string dataVolume)
      : state_(std::make_shared<State>()) {
    state_->engine = &engine;
    state_->container = std::move(container);
    state_->volume = std::move(dataVolume);
    engine.onExec([state = state_](const ExecRequest& request) { return state->answer(request); });
  }

  void set(const std::string& key, const std::string& value) { state_->keys[key] = value; }
  const std::map<std::string, std::string>& keys() const { return state_->keys; }
  // The RDB stand-in a BGSAVE of these keys writes.
  static std::string dumpOf(const std::map<std::string, std::string>& keys) {
    std::string out = "REDIS0011";
    for (const auto& [k, v] : keys) out += "\n" + k + "=" + v;
    return out;
  }
  int saves() const { return state_->saves; }

 private:
  struct State {
    FakeEngine* engine = nullptr;
    std::string container, volume;
    std::map<std::string, std::string> keys;
    std::atomic<int> saves{0};

    std::string info() const {
      return "# Server\r\nredis_version:7.2.4\r\n# Persistence\r\naof_enabled:0\r\nrdb_saves:" +
             std::to_string(saves.load()) +
             "\r\nloading:0\r\nrdb_bgsave_in_progress:0\r\nrdb_last_bgsave_status:ok\r\n# "
             "Keyspace\r\ndb0:keys=" +
             std::to_string(keys.size()) + ",expires=0,avg_ttl=0\r\n";
    }

    std::optional<ExecReply> answer(const ExecRequest& request) {
      const auto& cmd = request.cmd;
      if (request.container != container || cmd.size() < 3 || cmd[0] != "redis-cli" ||
          cmd[1] != "--no-auth-warning")
        return std::nullopt;
      std::vector<std::string> args(cmd.begin() + 2, cmd.end());
      if (args == std::vector<std::string>{"PING"}) return ExecReply{"PONG\n", "", 0};
      if (args[0] == "INFO") return ExecReply{info(), "", 0};
      if (args == std::vector<std::string>{"CONFIG", "GET", "dir"}) return ExecReply{"dir\n/data\n", "", 0};
      if (args == std::vector<std::string>{"CONFIG", "GET", "dbfilename"})
        return ExecReply{"dbfilename\ndump.rdb\n", "", 0};
      if (args[0] == "LASTSAVE") return ExecReply{"1700000000\n", "", 0};
      if (args[0] == "BGSAVE") {
        engine->writeVolumeFile(volume, "dump.rdb", dumpOf(keys));
        ++saves;
        return ExecReply{"Background saving started\n", "", 0};
      }
      return ExecReply{"ERR unknown command '" + args[0] + "'\n", "", 0};
    }
  };
  std::shared_ptr<State> state_;
};

}  // namespace agentchat_test

#pragma once
// Redis as the flows see it through `redis-cli` execs in the fake engine: PING, INFO, CONFIG GET,
// BGSAVE and SAVE (which write dump.rdb into the data volume), LASTSAVE, SHUTDOWN. Each server keeps
// its keys in memory and loads /data/dump.rdb when its container starts, like the real one; so a
// helper the restore starts on the data volume loads what was put there. Just enough for
// plugin/databases/redis_*.cpp and plugin/restore/redis_files.cpp; the "RDB" is readable text.
#include <map>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>

#include "tests/support/fake_engine.hpp"

namespace agentchat_test {

class FakeRedis {
 public:
  // The service's container, with its data volume mounted at /data.
  FakeRedis(FakeEngine& engine, std::string container) : state_(std::make_shared<State>()) {
    state_->engine = &engine;
    state_->container = std::move(container);
    for (const auto& m : engine.container(state_->container).mounts) {
      if (m.destination == "/data") state_->volume = m.name;
    }
    state_->servers[state_->container].loadedAtStart = engine.container(state_->container).starts;
    engine.onExec([state = state_](const ExecRequest& request) { return state->answer(request); });
  }

  // In the running server's memory, as a client would write it.
  void set(const std::string& key, const std::string& value) {
    std::lock_guard lock(state_->mutex);
    state_->server(state_->container).keys[key] = value;
  }
  // What the service's server holds now (after a restart: what it loaded).
  std::map<std::string, std::string> keys() {
    std::lock_guard lock(state_->mutex);
    return state_->server(state_->container).keys;
  }

  static std::string dumpOf(const std::map<std::string, std::string>& keys) {
    std::string out = "REDIS0011";
    for (const auto& [k, v] : keys) out += "\n" + k + "=" + v;
    return out;
  }
  static std::map<std::string, std::string> keysOf(const std::string& dump) {
    std::map<std::string, std::string> keys;
    std::istringstream in(dump);
    std::string line;
    std::getline(in, line);  // the header
    while (std::getline(in, line)) {
      auto eq = line.find('=');
      if (eq != std::string::npos) keys[line.substr(0, eq)] = line.substr(eq + 1);
    }
    return keys;
  }

 private:
  struct Server {
    std::map<std::string, std::string> keys;
    int loadedAtStart = -1;  // the container start whose dump.rdb these keys came from
    int saves = 0;
  };
  struct State {
    FakeEngine* engine = nullptr;
    std::string container, volume;
    std::mutex mutex;
    std::map<std::string, Server> servers;  // by container name

    Server& server(const std::string& name) {
      Server& s = servers[name];
      int starts = engine->container(name).starts;
      if (s.loadedAtStart != starts) {
        s.keys = keysOf(engine->readFile(name, "/data/dump.rdb").value_or("REDIS0011"));
        s.loadedAtStart = starts;
      }
      return s;
    }

    // The service's container, or one mounting its data volume at /data (a restore's helper).
    bool ours(const std::string& name) const {
      if (name == container) return true;
      for (const auto& m : engine->container(name).mounts) {
        if (m.destination == "/data" && m.name == volume) return true;
      }
      return false;
    }

    std::string info(const Server& s) const {
      return "# Server\r\nredis_version:7.2.4\r\n# Persistence\r\nloading:0\r\naof_enabled:0\r\nrdb_saves:" +
             std::to_string(s.saves) +
             "\r\nrdb_bgsave_in_progress:0\r\nrdb_last_bgsave_status:ok\r\n# Keyspace\r\n" +
             (s.keys.empty() ? std::string()
                             : "db0:keys=" + std::to_string(s.keys.size()) + ",expires=0,avg_ttl=0\r\n");
    }

    std::optional<ExecReply> answer(const ExecRequest& request) {
      const auto& cmd = request.cmd;
      if (cmd.size() < 3 || cmd[0] != "redis-cli" || cmd[1] != "--no-auth-warning" ||
          !ours(request.container))
        return std::nullopt;
      std::lock_guard lock(mutex);
      Server& s = server(request.container);
      std::vector<std::string> args(cmd.begin() + 2, cmd.end());
      auto is = [&](std::initializer_list<const char*> words) {
        return std::equal(args.begin(), args.end(), words.begin(), words.end(),
                          [](const std::string& a, const char* b) { return a == b; });
      };
      if (is({"PING"})) return ExecReply{"PONG\n", "", 0};
      if (args[0] == "INFO") return ExecReply{info(s), "", 0};
      if (is({"CONFIG", "GET", "dir"})) return ExecReply{"dir\n/data\n", "", 0};
      if (is({"CONFIG", "GET", "dbfilename"})) return ExecReply{"dbfilename\ndump.rdb\n", "", 0};
      if (is({"LASTSAVE"})) return ExecReply{"1700000000\n", "", 0};
      if (args[0] == "BGSAVE" || is({"SAVE"})) {
        engine->writeFile(request.container, "/data/dump.rdb", dumpOf(s.keys));
        ++s.saves;
        return ExecReply{args[0] == "SAVE" ? "OK\n" : "Background saving started\n", "", 0};
      }
      if (args[0] == "SHUTDOWN") return ExecReply{"", "", 0};
      return ExecReply{"ERR unknown command '" + args[0] + "'\n", "", 0};
    }
  };
  std::shared_ptr<State> state_;
};

}  // namespace agentchat_test

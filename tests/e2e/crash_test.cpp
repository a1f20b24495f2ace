// kill -9 of the plugin in the middle of a backup, at 22 points: moments held by a proxy in front of
// the engine's socket (locked, containers paused, containers stopped, about to commit), the moment it
// asked the engine to stop MySQL or Redis (the engine finishes that stop after the run died), and timed kills
// spread over a whole online and a whole stop-mode run. After each: no backup that looks complete
// but does not verify, the earlier backups intact, and the dead run undone — by `status` or by the
// next backup, alternately — which says so: containers resumed, helpers and partial backup removed.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <thread>

#include "e2e_support.hpp"
#include "holding_proxy.hpp"
#include "restore_stack.hpp"

namespace fs = std::filesystem;
using nlohmann::json;
using ::testing::HasSubstr;

namespace {

struct Kill {
  std::string what;                // for messages
  std::string holdAt;              // the engine request the proxy holds, or "" for a timed kill
  std::vector<std::string> after;  // ... once requests matching these have passed, in order
  double seconds = 0;              // timed kill: after this long
  bool stopMode = false;
  std::string stopping;  // else: killed as soon as the journal says it is stopping this service
};

std::string readFile(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

class Crash : public ::testing::Test {
 protected:
  std::string engineHost() const { return host_; }
  std::string host_;  // the engine's socket, behind the holding proxy

  // Runs `backup` and kills it with SIGKILL as `kill` says; returns the lock file's holder line
  // as the dead run left it ("" if it died before taking the lock or after releasing it).
  std::string backupKilled(e2e::RestoreStack& stack, const Kill& kill) {
    std::vector<std::string> args{"backup"};
    if (kill.stopMode) args.insert(args.end(), {"--consistency", "stop"});
    fs::path lock = stack.repo() / stack.project() / ".lock";
    if (!kill.stopping.empty()) {
      killWhenStopping(stack, args, stack.container(kill.stopping));
    } else if (kill.holdAt.empty()) {
      auto argv = stack.pluginArgv(args);
      char seconds[32];
      std::snprintf(seconds, sizeof seconds, "%.2f", kill.seconds);
      argv.insert(argv.begin(), {"timeout", "-s", "KILL", seconds});
      auto run = e2e::runProcess(argv, stack.env());
      // 137: killed; 0: it finished first (then it must have left a complete, verifiable backup).
      EXPECT_TRUE(run.exitCode == 137 || run.exitCode == 0) << kill.what << ": " << run.err;
    } else {
      killHeld(stack, args, kill);
    }
    std::string holder = readFile(lock);
    while (!holder.empty() && holder.back() == '\n') holder.pop_back();
    return holder;
  }

  // Runs the plugin with `args` and kills it with SIGKILL the moment its journal records that it is
  // about to stop container `id`: the engine then finishes that stop after the run has died.
  void killWhenStopping(e2e::RestoreStack& stack, const std::vector<std::string>& args,
                        const std::string& id) {
    fs::path journal = stack.repo() / stack.project() / ".journal";
    auto pending = std::async(std::launch::async, [&] { return stack.plugin(args); });
    auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(2);
    bool seen = false;
    while (!seen && std::chrono::steady_clock::now() < deadline) {
      auto doc = json::parse(readFile(journal), nullptr, false);
      if (doc.is_object() && doc.contains("held")) {
        for (const auto& held : doc["held"])
          seen = seen || (held.value("id", "") == id && held.value("stopped", false));
      }
      if (!seen) std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    EXPECT_TRUE(seen) << "the journal never held " << id;
    // The journal is written just before the stop request: a moment more and the request is out,
    // while the database is still shutting down.
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    std::string holder = readFile(stack.repo() / stack.project() / ".lock");
    long pid = holder.rfind("pid ", 0) == 0 ? std::stol(holder.substr(4)) : 0;
    EXPECT_GT(pid, 0) << "lock file " << holder;
    if (pid > 0) ::kill(static_cast<pid_t>(pid), SIGKILL);
    auto run = pending.get();
    EXPECT_EQ(run.exitCode, 137) << run.err;
  }

  // Runs the plugin with `args` through a proxy in front of the engine until the proxy holds the
  // request `kill` names, then kills it with SIGKILL (its pid from the project lock file).
  void killHeld(e2e::RestoreStack& stack, const std::vector<std::string>& args, const Kill& kill) {
    testsupport::HoldingProxy proxy(engineHost(), stack.repo());
    proxy.holdAt(kill.holdAt, kill.after);
    auto pending = std::async(std::launch::async, [&] {
      return stack.plugin(args, {{"DOCKER_HOST", proxy.address()}});
    });
    EXPECT_TRUE(proxy.waitHeld(std::chrono::minutes(2))) << "never reached " << kill.holdAt;
    std::string holder = readFile(stack.repo() / stack.project() / ".lock");
    long pid = holder.rfind("pid ", 0) == 0 ? std::stol(holder.substr(4)) : 0;
    EXPECT_GT(pid, 0) << kill.holdAt << ": lock file " << holder;
    if (pid > 0) ::kill(static_cast<pid_t>(pid), SIGKILL);
    auto run = pending.get();
    EXPECT_EQ(run.exitCode, 137) << kill.holdAt << ": " << run.err;
  }  // the held request dies with the proxy, as it would have with the process

  // No container of the stack is paused, and each one runs.
  void expectStackAsFound(dockerapi::Engine& engine, e2e::RestoreStack& stack, const std::string& what) {
    for (const char* service : {"mysql", "redis", "backend"}) {
      std::string id = stack.container(service);
      ASSERT_FALSE(id.empty()) << what << ": no " << service;
      auto info = engine.inspectContainer(id);
      EXPECT_TRUE(info.running && !info.paused) << what << ": " << service << " is " << info.status;
    }
  }

  // Every backup `list` shows verifies (each checked once); no staging directory, journal or helper
  // container of a dead run is left.
  void expectRepositoryClean(dockerapi::Engine& engine, e2e::RestoreStack& stack, const std::string& what) {
    auto list = stack.plugin({"list", "--json"});
    ASSERT_EQ(list.exitCode, 0) << list.err;
    for (const auto& b : json::parse(list.out)) {
      std::string id = b["id"];
      if (!verified_.insert(id).second) continue;
      auto verify = stack.plugin({"verify", id});
      EXPECT_EQ(verify.exitCode, 0) << what << ": backup " << id << " looks complete but: " << verify.err;
    }
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(stack.repo() / stack.project(), ec)) {
      std::string name = e.path().filename();
      EXPECT_FALSE(name.rfind(".partial-", 0) == 0 || name == ".journal") << what << ": " << name << " left";
    }
    EXPECT_TRUE(engine.listContainers({{"label", {"io.agentchat.helper=true"}}}, true).empty())
        << what << ": a helper container is left";
  }

  std::set<std::string> verified_;
};

}  // namespace

TEST_F(Crash, KillNineAtTwentyTwoPointsOfABackupLosesNothingAndTheNextRunUndoesIt) {
  REQUIRE_ENGINE(engine);
  host_ = engine.endpointName();
  e2e::RestoreStack stack(engine, {"docker-compose.prod.yml"});
  ASSERT_TRUE(stack.up()) << stack.upOutput();
  std::string first = stack.seedAndBackUp();
  ASSERT_FALSE(first.empty());
  auto before = stack.fingerprint();

  // How long a whole run takes, so the timed kills cover it from start to end.
  auto timed = [&](std::vector<std::string> args) {
    auto began = std::chrono::steady_clock::now();
    auto run = stack.plugin(args);
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
    EXPECT_EQ(run.exitCode, 0) << run.err;
    EXPECT_TRUE(stack.waitReady());
    return seconds;
  };
  double online = timed({"backup"});
  double stop = timed({"backup", "--consistency", "stop"});
  std::printf("a whole backup takes %.2f s online, %.2f s in stop mode\n", online, stop);

  std::vector<Kill> kills{
      // Locked, about to pause the app: its pause request is held.
      {"held after taking the lock", R"(^POST .*/containers/[^/]+/pause$)", {}, 0, false, ""},
      // The app paused, the first database snapshot's exec held.
      {"held with the app paused", R"(^POST .*/containers/[^/]+/exec$)", {R"(/pause$)"}, 0, false, ""},
      // Everything stopped, the first part's copy held.
      {"held with the stack stopped", R"(^POST .*/containers/create|/archive)", {R"(/stop\?)"}, 0, true, ""},
      // Every part written; the manifest's image facts are the last thing read before the commit.
      {"held before the commit", R"(^GET .*/images/)", {R"(/unpause$)"}, 0, false, ""},
      {"killed while the engine stops mysql", "", {}, 0, true, "mysql"},
      {"killed while the engine stops redis", "", {}, 0, true, "redis"},
  };
  for (int i = 0; i < 8; ++i) {
    char what[64];
    double at = online * (i + 0.5) / 8;
    std::snprintf(what, sizeof what, "online, killed after %.2f s", at);
    kills.push_back({what, "", {}, at, false, ""});
    at = stop * (i + 0.5) / 8;
    std::snprintf(what, sizeof what, "stop mode, killed after %.2f s", at);
    kills.push_back({what, "", {}, at, true, ""});
  }
  ASSERT_GE(kills.size(), 21u);

  for (std::size_t i = 0; i < kills.size(); ++i) {
    const auto& kill = kills[i];
    SCOPED_TRACE(kill.what);
    std::string deadHolder = backupKilled(stack, kill);
    // Alternately `status` and the next backup find the dead run and undo it.
    std::string said;
    if (i % 2 == 0) {
      auto status = stack.plugin({"status"});
      said = status.out;
      if (!deadHolder.empty()) {
        EXPECT_THAT(status.out, HasSubstr(deadHolder)) << status.out;
        EXPECT_THAT(status.out, HasSubstr("ended without finishing"));
      }
    } else {
      auto next = stack.plugin({"backup"});
      said = next.err;
      EXPECT_EQ(next.exitCode, 0) << next.err;
      if (!deadHolder.empty()) {
        EXPECT_THAT(next.err, HasSubstr(deadHolder)) << next.err;
      }
    }
    // What was undone, for the log: "unpaused …", "started …", "removed …".
    std::printf("kill %zu, %s: %s\n", i + 1, kill.what.c_str(),
                deadHolder.empty() ? "the lock was not held" : deadHolder.c_str());
    for (std::size_t at = 0; (at = said.find("; ", at)) != std::string::npos;) said.replace(at, 2, "\n");
    std::istringstream lines(said);
    for (std::string line; std::getline(lines, line);) {
      for (const char* word : {"unpaused ", "started ", "removed the", "already"}) {
        auto at = line.find(word);
        if (at == std::string::npos || line.find("ended without") != std::string::npos) continue;
        std::printf(
            "    %s\n",
            line.substr(line.rfind(']', at) == std::string::npos ? 0 : line.rfind(']', at) + 2).c_str());
        break;
      }
    }
    ASSERT_TRUE(stack.waitReady()) << kill.what;
    expectStackAsFound(engine, stack, kill.what);
    expectRepositoryClean(engine, stack, kill.what);
  }
  // The first backup is intact to the last byte of its content, and the next backup succeeds.
  auto deep = stack.plugin({"verify", first, "--deep"});
  EXPECT_EQ(deep.exitCode, 0) << deep.err;
  auto last = stack.plugin({"backup"});
  EXPECT_EQ(last.exitCode, 0) << last.err;
  e2e::expectSameData(before, stack.fingerprint());
}

// kill -9 of backups into a deduplicated store (issue #17), the lister running in its helper: no
// backup that looks complete names a missing chunk, the next run removes the running helper, the
// store checks clean, and prune collects what the dead runs stored; a backup after them all reuses
// the catalog and restores the data. (On Engine 20.10 only: it is about our files, not the engine.)
TEST_F(Crash, KillNineDuringDeduplicatedBackupsLeavesNoBackupWithAMissingChunkAndPruneCollectsTheRest) {
  REQUIRE_ENGINE(engine);
  host_ = engine.endpointName();
  e2e::RestoreStack stack(engine, {"docker-compose.prod.yml"});
  ASSERT_TRUE(stack.up()) << stack.upOutput();
  stack.sh("backend", "head -c 33554432 /dev/urandom > /app/data/big.bin");
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));  // outside the catalog's racy second
  std::string first = stack.seedAndBackUp({"--dedup"});
  ASSERT_FALSE(first.empty());
  // Changed after the first backup, so every later one reads it through the lister's exec.
  stack.sh("backend", "head -c 16777216 /dev/urandom > /app/data/changed.bin");
  auto before = stack.fingerprint();
  auto began = std::chrono::steady_clock::now();
  ASSERT_EQ(stack.plugin({"backup"}).exitCode, 0);
  double whole = std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
  ASSERT_TRUE(stack.waitReady());

  std::vector<Kill> kills{
      // The lister copied into its helper and started; its walk about to run.
      {"held before the lister's walk",
       R"(^POST .*/exec/[^/]+/start$)",
       {R"(^PUT .*/archive)"},
       0,
       false,
       ""},
  };
  for (int i = 0; i < 3; ++i) {
    char what[64];
    double at = whole * (i + 0.5) / 3;
    std::snprintf(what, sizeof what, "deduplicated, killed after %.2f s", at);
    kills.push_back({what, "", {}, at, false, ""});
  }
  for (std::size_t i = 0; i < kills.size(); ++i) {
    SCOPED_TRACE(kills[i].what);
    backupKilled(stack, kills[i]);
    auto next = i % 2 == 0 ? stack.plugin({"status"}) : stack.plugin({"backup"});
    EXPECT_TRUE(next.exitCode == 0 || i % 2 == 0) << next.err;
    ASSERT_TRUE(stack.waitReady());
    expectStackAsFound(engine, stack, kills[i].what);
    expectRepositoryClean(engine, stack, kills[i].what);  // every listed backup verifies; no helper left
  }
  auto check = stack.plugin({"check"});
  EXPECT_EQ(check.exitCode, 0) << check.out << check.err;
  auto prune = stack.plugin({"prune", "--keep-last", "100"});
  ASSERT_EQ(prune.exitCode, 0) << prune.err;
  EXPECT_THAT(prune.out, HasSubstr("chunks: "));
  fs::path packs = stack.repo() / ".chunks" / "packs";
  for (const auto& e : fs::recursive_directory_iterator(packs))
    EXPECT_NE(e.path().filename().string().rfind("partial-", 0), 0u) << e.path() << " left after prune";
  check = stack.plugin({"check"});
  EXPECT_EQ(check.exitCode, 0) << check.out << check.err;

  auto last = stack.plugin({"backup", "--json"});
  ASSERT_EQ(last.exitCode, 0) << last.err;
  std::string id = json::parse(last.out)["id"];
  json manifest = json::parse(std::ifstream(stack.repo() / stack.project() / id / "manifest.json"));
  EXPECT_GE(manifest["details"]["listing"]["volume-app_data.tar.zst"]["reusedBytes"].get<std::uint64_t>(),
            33554432u)
      << manifest["details"]["listing"].dump();
  ASSERT_EQ(stack.compose({"down", "-v"}).exitCode, 0);
  ASSERT_EQ(stack.compose({"up", "-d"}).exitCode, 0);
  ASSERT_TRUE(stack.waitReady());
  auto restore = stack.plugin({"restore", id, "--yes"});
  ASSERT_EQ(restore.exitCode, 0) << restore.err;
  e2e::expectSameData(before, stack.fingerprint());
}

// A restore killed with -9 after emptying a volume: `status` starts what it stopped, but calls it
// CRITICAL and names the safety snapshot, which brings the data back.
TEST_F(Crash, KillNineMidRestoreIsCriticalAndItsSafetySnapshotBringsTheDataBack) {
  REQUIRE_ENGINE(engine);
  host_ = engine.endpointName();
  e2e::RestoreStack stack(engine, {"docker-compose.prod.yml"});
  ASSERT_TRUE(stack.up()) << stack.upOutput();
  std::string id = stack.seedAndBackUp();
  ASSERT_FALSE(id.empty());
  stack.changeSinceBackup();
  auto before = stack.fingerprint();

  // Held with the app_data volume emptied, its files not yet put back (after the apps' stop and the
  // Redis helper's wait, the first archive put).
  killHeld(stack, {"restore", id, "--yes"},
           {"restore held with a volume emptied",
            R"(^PUT .*/archive)",
            {R"(/stop\?)", R"(/wait\?)"},
            0,
            false,
            ""});
  auto status = stack.plugin({"status"});
  EXPECT_EQ(status.exitCode, 2) << status.out;
  EXPECT_THAT(status.out, HasSubstr("may be partly restored")) << status.out;
  std::string safety;
  for (const auto& b : json::parse(stack.plugin({"list", "--json"}).out)) {
    if (b["label"] == "pre-restore") safety = b["id"];
  }
  ASSERT_FALSE(safety.empty());
  EXPECT_THAT(status.out, HasSubstr("safety snapshot " + safety));
  ASSERT_TRUE(stack.waitReady());
  expectStackAsFound(engine, stack, "after status");
  auto back = stack.plugin({"restore", safety, "--yes"});
  ASSERT_EQ(back.exitCode, 0) << back.err;
  e2e::expectSameData(before, stack.fingerprint());
}

// `maintain` against a real engine and a stack of its own (Redis with a password, so both logins
// are exercised): every table analyzed and optimized with the server's verdict, exactly the old
// log files deleted, keys without a TTL counted exactly and given one only when asked, and no
// password in any exec's arguments or in the output.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "dockerapi/exec.hpp"
#include "restore_stack.hpp"

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

const char* const kRedisPassword = "maint-Redis-7f3a!q";

// tests/stack with Redis behind a password, in a scratch directory removed at the end.
class MaintainStack {
 public:
  explicit MaintainStack(dockerapi::Engine& engine) : engine_(engine) {
    scratch_ = fs::temp_directory_path() / e2e::uniqueName("agentchat-maint");
    fs::create_directories(scratch_);
    fs::copy(e2e::sourceDir() + "/tests/stack", scratch_ / "stack", fs::copy_options::recursive);
    std::ofstream(scratch_ / "stack/docker-compose.maint.yml")
        << "services:\n  redis:\n    command: redis-server --appendonly no --requirepass '" << kRedisPassword
        << "'\n    healthcheck:\n      test: [\"CMD-SHELL\", \"redis-cli --no-auth-warning -a \\\"$$P\\\" "
           "ping\"]\n"
        << "    environment:\n      P: '" << kRedisPassword << "'\n";
    std::string project = e2e::uniqueName("agentchat-maint");
    stack_ = std::make_unique<e2e::RestoreStack>(
        e2e::RestoreStack::Attach{project, scratch_ / "stack", {"docker-compose.maint.yml"}, {}}, engine);
    auto up = stack_->compose({"up", "-d", "--quiet-pull"});
    upOutput_ = up.out + up.err;
    ready_ = up.exitCode == 0 && waitReady();
  }
  ~MaintainStack() {
    stack_.reset();  // down -v
    std::error_code ec;
    fs::remove_all(scratch_, ec);
  }
  bool ready() const { return ready_; }
  const std::string& upOutput() const { return upOutput_; }
  e2e::RestoreStack& stack() { return *stack_; }
  std::string rootPassword() const {
    std::ifstream env(scratch_ / "stack/.env");
    for (std::string line; std::getline(env, line);) {
      if (line.rfind("MYSQL_ROOT_PASSWORD=", 0) == 0) return line.substr(20);
    }
    return {};
  }

  std::string redis(const std::vector<std::string>& args) {
    std::vector<std::string> cmd{"redis-cli", "--no-auth-warning"};
    cmd.insert(cmd.end(), args.begin(), args.end());
    auto r = dockerapi::execCapture(engine_, stack_->container("redis"),
                                    {cmd, {std::string("REDISCLI_AUTH=") + kRedisPassword}, {}, {}});
    EXPECT_EQ(r.exitCode, 0) << r.err;
    while (!r.out.empty() && (r.out.back() == '\n' || r.out.back() == '\r')) r.out.pop_back();
    return r.out;
  }

 private:
  bool waitReady() {
    for (int i = 0; i < 360; ++i) {
      std::string m = stack_->container("mysql"), r = stack_->container("redis");
      if (!m.empty() && !r.empty()) {
        try {
          auto ping = dockerapi::execCapture(engine_, r,
                                             {{"redis-cli", "--no-auth-warning", "ping"},
                                              {std::string("REDISCLI_AUTH=") + kRedisPassword},
                                              {},
                                              {}});
          auto tables = dockerapi::execCapture(
              engine_, m,
              {{"sh", "-c",
                "c=$(command -v mariadb || command -v mysql); \"$c\" -uroot -N -e \"SELECT COUNT(*) FROM "
                "information_schema.tables WHERE table_schema='agentchat' AND table_name='usage_stats' AND "
                "@@skip_networking=0\""},
               {"MYSQL_PWD=" + rootPassword()},
               {},
               {}});
          if (ping.out.starts_with("PONG") && tables.out.starts_with("1")) return true;
        } catch (const std::exception&) {
          // not up yet
        }
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
    }
    return false;
  }

  dockerapi::Engine& engine_;
  fs::path scratch_;
  std::unique_ptr<e2e::RestoreStack> stack_;
  std::string upOutput_;
  bool ready_ = false;
};

class Maintain : public ::testing::Test {
 protected:
  json run(MaintainStack& m, std::vector<std::string> args, int expectedExit = 0) {
    args.insert(args.begin(), "-D");  // the debug log names every exec, to inspect them afterwards
    args.push_back("--json");
    auto result = m.stack().plugin(args);
    printed_ += result.out + result.err;
    EXPECT_EQ(result.exitCode, expectedExit) << result.out << result.err;
    auto parsed = json::parse(result.out, nullptr, false);
    EXPECT_FALSE(parsed.is_discarded()) << result.out << result.err;
    return parsed.is_discarded() ? json::object() : parsed;
  }
  std::string printed_;
};

std::set<std::string> tableNames(e2e::RestoreStack& stack) {
  std::istringstream lines(
      stack.mysql("SELECT table_name FROM information_schema.tables WHERE table_schema='agentchat' AND "
                  "table_type='BASE TABLE'"));
  std::set<std::string> names;
  for (std::string line; std::getline(lines, line);) names.insert(line);
  return names;
}

const json& dbReport(const json& out, int db) {
  for (const auto& r : out["redis"]) {
    if (r["db"] == db) return r;
  }
  static const json none = json::object();
  ADD_FAILURE() << "no report for db" << db << ": " << out["redis"].dump();
  return none;
}

}  // namespace

TEST_F(Maintain, AnalyzeOptimizeLogsAndKeysWithoutTtl) {
  REQUIRE_ENGINE(engine);
  MaintainStack m(engine);
  ASSERT_TRUE(m.ready()) << m.upOutput();
  auto& stack = m.stack();

  // Every base table, both operations, each with the server's OK and a time.
  auto tables = tableNames(stack);
  ASSERT_GE(tables.size(), 7u);
  auto started = std::chrono::steady_clock::now();
  auto mysql = run(m, {"maintain", "--analyze", "--optimize"});
  double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::cout << "maintain --analyze --optimize: " << took << " s for " << tables.size() << " tables\n";
  for (const char* operation : {"analyze", "optimize"}) {
    std::set<std::string> seen;
    for (const auto& t : mysql["tables"]) {
      if (t["operation"] != operation) continue;
      seen.insert(t["table"].get<std::string>());
      EXPECT_TRUE(t["ok"].get<bool>()) << t.dump();
      std::string status = t["status"];
      EXPECT_TRUE(status == "OK" || status == "Table is already up to date") << t.dump();
      EXPECT_GE(t["seconds"].get<double>(), 0.0);
      EXPECT_LT(t["seconds"].get<double>(), 60.0);
    }
    EXPECT_EQ(seen, tables) << operation;
  }
  EXPECT_TRUE(mysql["ok"].get<bool>());

  // Logs: old files deleted, new ones kept; a symlink and what it points at outside stay.
  stack.sh(
      "backend",
      "mkdir -p /app/logs/sub && echo old > /app/logs/old.log && touch -d '40 days ago' /app/logs/old.log && "
      "head -c 1000 /dev/zero > /app/logs/sub/older.log.1 && touch -d '60 days ago' "
      "/app/logs/sub/older.log.1 && "
      "echo new > /app/logs/new.log && touch -d '2 days ago' /app/logs/new.log && "
      "echo keep > /app/outside.log && touch -d '90 days ago' /app/outside.log && "
      "ln -sf /app/outside.log /app/logs/link.log && touch -h -d '90 days ago' /app/logs/link.log && "
      "touch -d '90 days ago' /app/logs/sub");
  std::string before = stack.sh("backend", "cd /app/logs && find . | sort");
  auto dry = run(m, {"maintain", "--logs-older-than", "30", "--dry-run"});
  ASSERT_EQ(dry["logs"].size(), 1u) << dry.dump();
  std::set<std::string> listed;
  for (const auto& f : dry["logs"][0]["files"]) listed.insert(f["path"].get<std::string>());
  EXPECT_EQ(listed, (std::set<std::string>{"/app/logs/old.log", "/app/logs/sub/older.log.1"}));
  EXPECT_EQ(stack.sh("backend", "cd /app/logs && find . | sort"), before) << "a dry run deleted something";

  auto clean = run(m, {"maintain", "--logs-older-than", "30"});
  ASSERT_EQ(clean["logs"].size(), 1u) << clean.dump();
  EXPECT_EQ(clean["logs"][0]["bytesFreed"], 4 + 1000);
  for (const auto& f : clean["logs"][0]["files"]) EXPECT_TRUE(f["deleted"].get<bool>()) << f.dump();
  EXPECT_EQ(stack.sh("backend", "cd /app/logs && find . | sort"),
            ".\n./app.log\n./link.log\n./new.log\n./sub\n");
  EXPECT_EQ(stack.sh("backend", "cat /app/outside.log"), "keep\n");

  // Redis: exactly the keys without a TTL are counted, per db; nothing changes without the option.
  for (const char* key : {"k1", "k2", "k3"}) m.redis({"SET", key, "v"});
  m.redis({"SET", "t1", "v", "EX", "3600"});
  m.redis({"SET", "t2", "v", "EX", "3600"});
  m.redis({"-n", "3", "SET", "n1", "v"});
  m.redis({"-n", "3", "SET", "t3", "v", "EX", "3600"});
  auto report = run(m, {"maintain"});
  EXPECT_EQ(dbReport(report, 0)["keys"], 5);
  EXPECT_EQ(dbReport(report, 0)["withoutTtl"], 3);
  EXPECT_EQ(dbReport(report, 3)["keys"], 2);
  EXPECT_EQ(dbReport(report, 3)["withoutTtl"], 1);
  EXPECT_EQ(dbReport(report, 3)["samples"], json::array({"n1"}));
  EXPECT_EQ(dbReport(report, 0)["expired"], 0);
  EXPECT_EQ(m.redis({"TTL", "k1"}), "-1");
  EXPECT_EQ(stack.sh("backend", "ls /app/logs/new.log"), "/app/logs/new.log\n");  // the default only lists

  auto expire = run(m, {"maintain", "--set-default-ttl", "5000"});
  EXPECT_EQ(dbReport(expire, 0)["expired"], 3);
  EXPECT_EQ(dbReport(expire, 3)["expired"], 1);
  for (const char* key : {"k1", "k2", "k3"}) {
    int ttl = std::stoi(m.redis({"TTL", key}));
    EXPECT_TRUE(ttl > 4900 && ttl <= 5000) << key << " " << ttl;
  }
  EXPECT_LE(std::stoi(m.redis({"TTL", "t1"})), 3600);  // a key with a TTL keeps its own
  int n1 = std::stoi(m.redis({"-n", "3", "TTL", "n1"}));
  EXPECT_TRUE(n1 > 4900 && n1 <= 5000) << n1;
  EXPECT_LE(std::stoi(m.redis({"-n", "3", "TTL", "t3"})), 3600);
  auto after = run(m, {"maintain"});
  EXPECT_EQ(dbReport(after, 0)["withoutTtl"], 0);

  // One audit line per run that may change something.
  int audited = 0;
  for (const auto& line : stack.auditLines()) audited += line["command"] == "maintain";
  EXPECT_EQ(audited, 5);  // every run above but the dry run

  // No password in anything printed, nor in any exec's recorded arguments.
  std::vector<std::string> secrets{m.rootPassword(), kRedisPassword};
  std::regex execLine("exec ([0-9a-f]{64}) in");
  std::set<std::string> ids;
  for (std::sregex_iterator it(printed_.begin(), printed_.end(), execLine), end; it != end; ++it)
    ids.insert((*it)[1]);
  EXPECT_GE(ids.size(), 8u) << "expected the MySQL, Redis and log steps to exec";
  for (const auto& id : ids) {
    std::string recorded = engine.inspectExec(id)["ProcessConfig"].dump();
    for (const auto& secret : secrets) EXPECT_EQ(recorded.find(secret), std::string::npos) << recorded;
  }
  for (const auto& secret : secrets)
    EXPECT_EQ(printed_.find(secret), std::string::npos) << "a password was printed";
}

TEST_F(Maintain, RefusesBadValuesAndNamesWhatFailed) {
  REQUIRE_ENGINE(engine);
  auto negative = e2e::runPluginOnStack({"maintain", "--set-default-ttl", "0"});
  EXPECT_EQ(negative.exitCode, 2) << negative.err;
  EXPECT_NE(negative.err.find("--set-default-ttl must be > 0"), std::string::npos) << negative.err;
  auto days = e2e::runPluginOnStack({"maintain", "--logs-older-than", "-1"});
  EXPECT_EQ(days.exitCode, 2) << days.err;
}

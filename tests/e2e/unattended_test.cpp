// Running unattended (issue #20) against a real engine: the backend's hooks around backup and
// restore (a failing pre-hook leaves the stack running and unpaused, `warn` lets the backup
// complete, a hook past its timeout is stopped), the start/success/fail pings with the log excerpt
// and no secret, the metrics file read by a Prometheus text-format parser, and a backup after 90 %
// of a table was deleted raising the sanity warnings that status, the pings and prune act on.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include "e2e_support.hpp"
#include "restore_stack.hpp"
#include "tests/support/ping_listener.hpp"

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;

namespace {

const std::vector<std::string> kOverlays{"docker-compose.secrets.yml", "docker-compose.hooks.yml"};

std::string readFile(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string rootPassword(const e2e::RestoreStack& stack) {
  std::ifstream dotenv(stack.dir() / ".env");
  for (std::string line; std::getline(dotenv, line);) {
    if (line.rfind("MYSQL_ROOT_PASSWORD=", 0) == 0) return line.substr(20);
  }
  return "";
}

// The text format as Prometheus reads it: HELP/TYPE before a family's samples, each family once and
// its samples together, `name{label="value",...} number` lines. Returns "name{labels}" -> value; a
// violation fails the test.
std::map<std::string, double> parsePrometheus(const std::string& text) {
  std::map<std::string, double> samples;
  std::set<std::string> typed, finished;
  std::string current;
  static const std::regex type(R"(# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (gauge|counter|untyped))");
  static const std::regex help(R"(# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) .+)");
  static const std::regex sample(
      R"(([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*"(,[a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*")*)?\})? (-?[0-9.eE+-]+|NaN|\+Inf|-Inf))");
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    std::smatch m;
    if (std::regex_match(line, m, type)) {
      EXPECT_TRUE(typed.insert(m[1]).second) << "second TYPE line for " << m[1];
      if (!current.empty() && current != m[1]) finished.insert(current);
      current = m[1];
    } else if (std::regex_match(line, m, help)) {
      continue;
    } else if (std::regex_match(line, m, sample)) {
      std::string name = m[1];
      EXPECT_TRUE(typed.count(name)) << "sample before its TYPE: " << line;
      EXPECT_FALSE(finished.count(name)) << "samples of " << name << " not together";
      EXPECT_EQ(name, current) << line;
      samples[name + m[2].str()] = std::stod(m[7]);
    } else {
      ADD_FAILURE() << "not Prometheus text format: '" << line << "'";
    }
  }
  return samples;
}

std::vector<std::string> hookLog(const e2e::RestoreStack& stack) {
  std::vector<std::string> lines;
  std::istringstream in(stack.sh("backend", "cat /tmp/hooks.log 2>/dev/null || true"));
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

}  // namespace

TEST(Unattended, HooksPingsMetricsAndSanityChecksOnARealStack) {
  REQUIRE_ENGINE(engine);
  e2e::RestoreStack stack(engine, kOverlays);
  ASSERT_TRUE(stack.up()) << stack.upOutput();
  testsupport::PingListener listener;
  auto metricsFile = stack.dir() / "textfile" / "agentchat.prom";
  std::filesystem::create_directories(metricsFile.parent_path());
  const std::map<std::string, std::string> env{{"AGENTCHAT_TEST_NOTIFY_URL", listener.url()},
                                               {"AGENTCHAT_TEST_METRICS_FILE", metricsFile.string()}};
  const std::string root = rootPassword(stack);
  ASSERT_FALSE(root.empty());
  // A table big enough to judge (20 000 rows, about 2 MiB), there from the first backup on.
  stack.mysql(
      "CREATE TABLE agentchat.bulk (id INT AUTO_INCREMENT PRIMARY KEY, payload VARCHAR(200)); "
      "INSERT INTO agentchat.bulk (payload) SELECT CONCAT(seq, REPEAT('x', 100)) FROM "
      "agentchat.seq_1_to_20000;");

  // 1. A backup with its hooks: both in the log with the backup id, recorded, pinged, measured.
  auto first = stack.plugin({"backup", "--json"}, env);
  ASSERT_EQ(first.exitCode, 0) << first.err;
  std::string id = json::parse(first.out)["id"];
  EXPECT_THAT(first.err, HasSubstr("hook backend/pre_backup: queues flushed"));
  EXPECT_THAT(hookLog(stack), ::testing::ElementsAre("pre_backup " + id, "post_backup " + id + " ok"));
  EXPECT_EQ(stack.sh("redis", "cat /tmp/label-hook.log"), "label pre_backup " + id + "\n");  // by label
  auto manifest = json::parse(readFile(stack.repo() / stack.project() / id / "manifest.json"));
  const json& hooks = manifest["details"]["hooks"];
  ASSERT_EQ(hooks.size(), 4u) << hooks;  // backend's two pre_backup hooks, redis's, backend's post_backup
  EXPECT_EQ(hooks[0]["service"], "backend");
  EXPECT_EQ(hooks[0]["phase"], "pre_backup");
  EXPECT_EQ(hooks[0]["outcome"], "ok");
  EXPECT_EQ(hooks[0]["exitCode"], 0);
  EXPECT_EQ(hooks[2]["service"], "redis");
  EXPECT_EQ(hooks[2]["outcome"], "ok");
  EXPECT_EQ(hooks[3]["phase"], "post_backup");
  EXPECT_EQ(stack.auditLines().back()["hooks"], hooks);
  auto pings = listener.waitFor(2);
  ASSERT_EQ(pings.size(), 2u);
  EXPECT_EQ(pings[0].path, "/ping/5b1c9e2a-token/start");
  EXPECT_EQ(pings[1].path, "/ping/5b1c9e2a-token");
  EXPECT_THAT(pings[1].body, HasSubstr("backup " + id + " of " + stack.project() + " complete"));
  auto metrics = parsePrometheus(readFile(metricsFile));
  const std::string p = "{project=\"" + stack.project() + "\"}";
  EXPECT_EQ(metrics["agentchat_backup_last_exit_code" + p], 0);
  EXPECT_GT(metrics["agentchat_backup_last_success_timestamp_seconds" + p], 1.7e9);
  EXPECT_GT(metrics["agentchat_backup_stored_bytes{project=\"" + stack.project() + "\",kind=\"mysql-dump\"}"],
            0);
  EXPECT_GT(metrics["agentchat_backup_read_bytes{project=\"" + stack.project() + "\",kind=\"volume\"}"], 0);
  EXPECT_GT(metrics["agentchat_backup_parts" + p], 3);
  EXPECT_GT(metrics["agentchat_backup_pause_seconds" + p], 0);
  EXPECT_EQ(metrics["agentchat_backups" + p], 1);
  double firstSuccess = metrics["agentchat_backup_last_success_timestamp_seconds" + p];

  // 2. A failing pre-hook (on_error fail): no backup, the stack running and unpaused, the failure
  // pinged with the log's last lines and no password, post_backup not run for it.
  stack.sh("backend", "touch /tmp/fail-pre_backup");
  auto failed = stack.plugin({"backup"}, env);
  EXPECT_EQ(failed.exitCode, 1) << failed.err;
  EXPECT_THAT(failed.err, HasSubstr("pre_backup hook of service backend"));
  EXPECT_THAT(failed.err, HasSubstr("exited with 3: flush failed: queue busy (login ***)"));
  EXPECT_THAT(failed.err, HasSubstr("nothing was paused, stopped or changed"));
  EXPECT_THAT(failed.err, Not(HasSubstr(root)));
  EXPECT_TRUE(stack.allRunning());
  for (const char* service : {"mysql", "redis", "backend"})
    EXPECT_FALSE(engine.inspectContainer(stack.container(service)).paused) << service;
  EXPECT_EQ(json::parse(stack.plugin({"list", "--json"}).out).size(), 1u);
  EXPECT_EQ(hookLog(stack).size(), 2u) << "no post_backup after a failed pre_backup";
  pings = listener.waitFor(4);
  ASSERT_EQ(pings.size(), 4u);
  EXPECT_EQ(pings[2].path, "/ping/5b1c9e2a-token/start");
  EXPECT_EQ(pings[3].path, "/ping/5b1c9e2a-token/fail");
  EXPECT_THAT(pings[3].body, HasSubstr("backup of " + stack.project() + " failed (exit 1)"));
  EXPECT_THAT(pings[3].body, HasSubstr("last log lines:"));
  EXPECT_THAT(pings[3].body, HasSubstr("flush failed: queue busy (login ***)"));
  for (const auto& ping : pings) {
    EXPECT_THAT(ping.body, Not(HasSubstr(root)));
    EXPECT_THAT(ping.body, Not(HasSubstr("5b1c9e2a-token")));
  }
  metrics = parsePrometheus(readFile(metricsFile));
  EXPECT_EQ(metrics["agentchat_backup_last_exit_code" + p], 1);
  EXPECT_EQ(metrics["agentchat_backup_last_success_timestamp_seconds" + p], firstSuccess);
  auto status = json::parse(stack.plugin({"status", "--json"}).out);
  bool sawLast = false;
  for (const auto& check : status["checks"]) {
    if (check["check"] != "last backup") continue;
    sawLast = true;
    EXPECT_EQ(check["status"], "WARNING");
    EXPECT_THAT(check["detail"].get<std::string>(), HasSubstr("the newest complete backup is " + id));
  }
  EXPECT_TRUE(sawLast) << status;

  // 3. The same hook with on_error warn, and a second hook past its 3 s timeout: the backup completes.
  std::map<std::string, std::string> warnEnv = env;
  warnEnv["AGENTCHAT_TEST_HOOK_ON_ERROR"] = "warn";
  stack.sh("backend", "touch /tmp/slow");
  auto warned = stack.plugin({"backup", "--json"}, warnEnv);
  ASSERT_EQ(warned.exitCode, 0) << warned.err;
  EXPECT_THAT(warned.err, HasSubstr("(on_error: warn, so the run goes on)"));
  EXPECT_THAT(warned.err, HasSubstr("still ran after its timeout of 3 s and was stopped"));
  EXPECT_EQ(stack.sh("backend", "pgrep -f '^sleep 300$' || echo none"), "none\n")
      << "the timed-out hook lives on";
  std::string second = json::parse(warned.out)["id"];
  auto secondManifest = json::parse(readFile(stack.repo() / stack.project() / second / "manifest.json"));
  EXPECT_EQ(secondManifest["details"]["hooks"][0]["outcome"], "failed");
  EXPECT_EQ(secondManifest["details"]["hooks"][1]["outcome"], "timed out");
  EXPECT_EQ(secondManifest["details"]["hooks"][2]["outcome"], "ok");  // the run went on to redis's
  stack.sh("backend", "rm /tmp/fail-pre_backup /tmp/slow");

  // 4. Restore: pre_restore and post_restore in the target's container, with the source project.
  auto restore = stack.plugin({"restore", id, "--yes"}, env);
  ASSERT_EQ(restore.exitCode, 0) << restore.err;
  auto lines = hookLog(stack);
  ASSERT_GE(lines.size(), 2u);
  EXPECT_EQ(lines[lines.size() - 2], "pre_restore " + id + " " + stack.project());
  EXPECT_EQ(lines.back(), "post_restore " + id + " ok");

  // 5. 90 % of a table deleted: the backup completes with the sanity warnings; status says WARNING,
  // the ping is a failure, the metrics count them, and prune keeps the newest backup without any.
  stack.mysql("DELETE FROM agentchat.bulk WHERE id % 10 <> 0;");
  std::size_t before = listener.waitFor(0).size();
  auto shrunk = stack.plugin({"backup", "--json"}, env);
  ASSERT_EQ(shrunk.exitCode, 0) << shrunk.err;
  EXPECT_THAT(shrunk.err, HasSubstr("sanity: table mysql: agentchat.bulk has 2000 rows, 10 % of the 20000"));
  EXPECT_THAT(shrunk.err, HasSubstr("sanity: part mysql.sql.zst is"));
  auto result = json::parse(shrunk.out);
  EXPECT_GE(result["warnings"].size(), 2u) << result;
  std::string shrunkId = result["id"];
  pings = listener.waitFor(before + 2);
  ASSERT_EQ(pings.size(), before + 2);
  EXPECT_EQ(pings.back().path, "/ping/5b1c9e2a-token/fail");
  EXPECT_THAT(pings.back().body, HasSubstr("does not look like the ones before"));
  EXPECT_THAT(pings.back().body, HasSubstr("agentchat.bulk has 2000 rows"));
  auto warnedStatus = stack.plugin({"status", "--json"});
  auto report = json::parse(warnedStatus.out);
  bool sawSanity = false;
  for (const auto& check : report["checks"]) {
    if (check["check"] != "backup sanity") continue;
    sawSanity = true;
    EXPECT_EQ(check["status"], "WARNING");
    EXPECT_THAT(check["detail"].get<std::string>(), HasSubstr("backup " + shrunkId));
  }
  EXPECT_TRUE(sawSanity) << warnedStatus.out;
  EXPECT_GE(warnedStatus.exitCode, 1);
  auto live = stack.plugin({"status", "--format", "prometheus"});
  auto liveMetrics = parsePrometheus(live.out);
  EXPECT_GE(liveMetrics["agentchat_backup_sanity_warnings" + p], 2) << live.out;
  EXPECT_EQ(liveMetrics["agentchat_status" + p], warnedStatus.exitCode) << live.out;
  EXPECT_EQ(parsePrometheus(readFile(metricsFile))["agentchat_backup_sanity_warnings" + p],
            liveMetrics["agentchat_backup_sanity_warnings" + p]);
  auto prune = stack.plugin({"prune", "--keep-last", "1", "--dry-run"});
  ASSERT_EQ(prune.exitCode, 0) << prune.err;
  EXPECT_THAT(prune.out, HasSubstr("keep    " + shrunkId + " (last 1, newest)"));
  // Newer than it, but never checked: the restore's safety snapshot.
  EXPECT_THAT(prune.out, HasSubstr("keep    " + second + " (newest sane)"));
}

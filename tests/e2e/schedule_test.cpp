// `schedule` in cron mode (no systemd here) against a real engine and a stack of its own: the entry
// it writes, run exactly as cron would (sh -c, an empty environment, another directory), makes a
// backup and records it; a failing run exits non-zero, is recorded, shows in `status` and is pinged
// (URL/start, URL/fail with the log's last lines) to a listener; `remove` takes it all away.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "restore_stack.hpp"
#include "s3_fixture.hpp"
#include "tests/support/ping_listener.hpp"

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::string readFile(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The command of the cron.d file's job line: after "MM HH * * * user", with cron's \% undone.
std::string cronCommand(const std::string& file) {
  std::istringstream lines(file);
  for (std::string line; std::getline(lines, line);) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    std::string skip;
    for (int i = 0; i < 6; ++i) fields >> skip;
    std::string command;
    std::getline(fields >> std::ws, command);
    std::string out;
    for (std::size_t i = 0; i < command.size(); ++i) {
      if (command[i] == '\\' && i + 1 < command.size() && command[i + 1] == '%') continue;
      out += command[i];
    }
    return out;
  }
  return "";
}

// As cron runs it: sh -c, no inherited environment, not in the project's directory.
e2e::ProcessResult runAsCron(const std::string& command) {
  return e2e::runProcess({"env", "-i", "PATH=/usr/bin:/bin", "HOME=/root", "sh", "-c", "cd / && " + command});
}

}  // namespace

TEST(Schedule, CronEntryRunsTheBackupRecordsFailuresNotifiesAndIsRemoved) {
  REQUIRE_ENGINE(engine);
  e2e::RestoreStack stack(engine, {});
  ASSERT_TRUE(stack.up()) << stack.upOutput();
  fs::path cron = stack.dir().parent_path() / "cron.d";
  std::map<std::string, std::string> env{{"AGENTCHAT_SCHEDULER", "cron"},
                                         {"AGENTCHAT_CRON_DIR", cron.string()}};
  fs::path entry = cron / ("docker-agentchat-" + stack.project());

  for (const char* bad : {"24:00", "7:30", "12:60", "noon"}) {
    auto refused = stack.plugin({"schedule", "install", "--at", bad}, env);
    EXPECT_EQ(refused.exitCode, 2) << bad;
    EXPECT_NE(refused.err.find("HH:MM"), std::string::npos) << refused.err;
  }
  EXPECT_FALSE(fs::exists(entry));

  auto install = stack.plugin({"schedule", "install", "--at", "03:15", "--prune"}, env);
  ASSERT_EQ(install.exitCode, 0) << install.out << install.err;
  std::string file = readFile(entry);
  EXPECT_NE(file.find("\n15 3 * * * root " + e2e::pluginPath() + " "), std::string::npos) << file;
  EXPECT_NE(file.find(" schedule run --prune\n"), std::string::npos) << file;
  EXPECT_NE(file.find("--project-name " + stack.project()), std::string::npos) << file;
  EXPECT_EQ(fs::status(entry).permissions() & fs::perms::all, fs::perms::owner_read | fs::perms::owner_write);

  auto nightly = runAsCron(cronCommand(file));
  ASSERT_EQ(nightly.exitCode, 0) << nightly.out << nightly.err;
  auto list = json::parse(stack.plugin({"list", "--json"}).out);
  ASSERT_EQ(list.size(), 1u);
  std::string id = list[0]["id"];
  fs::path record = stack.repo() / stack.project() / "schedule-last.json";
  EXPECT_EQ(fs::status(record).permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write);
  auto last = json::parse(readFile(record));
  EXPECT_EQ(last["exitCode"], 0);
  EXPECT_EQ(last["backupId"], id);
  auto show = stack.plugin({"schedule", "show"}, env);
  EXPECT_EQ(show.exitCode, 0);
  EXPECT_NE(show.out.find("daily at 03:15"), std::string::npos) << show.out;
  EXPECT_NE(show.out.find(entry.string()), std::string::npos) << show.out;
  EXPECT_NE(show.out.find(" OK "), std::string::npos) << show.out;
  EXPECT_NE(show.out.find("backup " + id), std::string::npos) << show.out;

  // A run that cannot reach the engine: exit non-zero, recorded, CRITICAL in status, POSTed.
  testsupport::PingListener listener;
  auto broken = stack.plugin(
      {"-H", "unix:///nonexistent/docker.sock", "schedule", "install", "--notify-url", listener.url()}, env);
  ASSERT_EQ(broken.exitCode, 0) << broken.err;
  auto failed = runAsCron(cronCommand(readFile(entry)));
  EXPECT_EQ(failed.exitCode, 3) << failed.out << failed.err;
  auto pings = listener.waitFor(2);
  ASSERT_EQ(pings.size(), 2u) << "the run was not pinged";
  EXPECT_EQ(pings[0].method, "POST");
  EXPECT_EQ(pings[0].path, "/ping/5b1c9e2a-token/start");
  EXPECT_EQ(pings[1].path, "/ping/5b1c9e2a-token/fail");
  const std::string& body = pings[1].body;
  EXPECT_NE(body.find("scheduled run of " + stack.project()), std::string::npos) << body;
  EXPECT_NE(body.find("backup failed (exit 3)"), std::string::npos) << body;
  EXPECT_NE(body.find("cannot reach the Docker engine"), std::string::npos) << body;
  EXPECT_NE(body.find("last log lines:"), std::string::npos) << body;
  std::string root;
  std::ifstream dotenv(stack.dir() / ".env");
  for (std::string line; std::getline(dotenv, line);) {
    if (line.rfind("MYSQL_ROOT_PASSWORD=", 0) == 0) root = line.substr(20);
  }
  ASSERT_FALSE(root.empty());
  EXPECT_EQ(body.find(root), std::string::npos) << "a secret in the notification";
  EXPECT_EQ(body.find("5b1c9e2a-token"), std::string::npos) << "the ping URL is the credential";
  EXPECT_EQ(json::parse(readFile(record))["exitCode"], 3);

  auto status = stack.plugin({"status", "--json"});
  EXPECT_EQ(status.exitCode, 2) << status.out;
  bool found = false;
  auto report = json::parse(status.out);
  for (const auto& check : report["checks"]) {
    if (check["check"] != "scheduled run") continue;
    found = true;
    EXPECT_EQ(check["status"], "CRITICAL");
    EXPECT_NE(check["detail"].get<std::string>().find("backup exit 3"), std::string::npos) << check;
  }
  EXPECT_TRUE(found) << status.out;
  auto showFailed = stack.plugin({"schedule", "show"}, env);
  EXPECT_NE(showFailed.out.find("FAILED (backup exit 3)"), std::string::npos) << showFailed.out;

  auto remove = stack.plugin({"schedule", "remove"}, env);
  EXPECT_EQ(remove.exitCode, 0) << remove.err;
  EXPECT_FALSE(fs::exists(entry));
  auto again = stack.plugin({"schedule", "remove"}, env);
  EXPECT_EQ(again.exitCode, 0) << again.err;
  EXPECT_NE(again.out.find("nothing installed"), std::string::npos) << again.out;
  EXPECT_NE(stack.plugin({"schedule", "show"}, env).out.find("installed: nothing"), std::string::npos);
}

// With an S3 repository the entry pins the bucket's settings that are no secret (endpoint, region,
// the credentials file, the local state directory) and never a key; run as cron would, it backs up
// into the bucket, and manual runs see the same lock and journal.
TEST(Schedule, AnS3RepositoryEntryPinsNoSecretAndBacksUpIntoTheBucket) {
  REQUIRE_ENGINE(engine);
  e2e::S3rver server;
  REQUIRE_S3RVER(server);
  e2e::RestoreStack stack(engine, {});
  ASSERT_TRUE(stack.up()) << stack.upOutput();
  fs::path scratch = stack.dir().parent_path();
  fs::path credentials = scratch / "aws-credentials";
  std::ofstream(credentials) << "[default]\naws_access_key_id = S3RVER\naws_secret_access_key = S3RVER\n";
  fs::permissions(credentials, fs::perms::owner_read | fs::perms::owner_write);
  std::string url = std::string("s3://") + e2e::S3rver::kBucket + "/nightly";
  std::map<std::string, std::string> env{{"AGENTCHAT_SCHEDULER", "cron"},
                                         {"AGENTCHAT_CRON_DIR", (scratch / "cron.d").string()},
                                         {"AWS_ENDPOINT_URL", server.endpoint()},
                                         {"AWS_REGION", "us-east-1"},
                                         {"AWS_SHARED_CREDENTIALS_FILE", credentials.string()},
                                         {"AGENTCHAT_STATE_DIR", (scratch / "state").string()}};
  auto onBucket = [&](std::vector<std::string> args) { return stack.pluginOn(url, std::move(args), env); };
  auto install = onBucket({"schedule", "install"});
  ASSERT_EQ(install.exitCode, 0) << install.err;
  std::string file = readFile(scratch / "cron.d" / ("docker-agentchat-" + stack.project()));
  EXPECT_NE(file.find("/usr/bin/env AWS_ENDPOINT_URL=" + server.endpoint()), std::string::npos) << file;
  EXPECT_NE(file.find("AWS_SHARED_CREDENTIALS_FILE=" + credentials.string()), std::string::npos) << file;
  EXPECT_NE(file.find("AGENTCHAT_STATE_DIR=" + (scratch / "state").string()), std::string::npos) << file;
  EXPECT_NE(file.find("--repo " + url), std::string::npos) << file;
  EXPECT_EQ(file.find("S3RVER"), std::string::npos) << "a key in the cron entry: " << file;

  auto nightly = runAsCron(cronCommand(file));
  ASSERT_EQ(nightly.exitCode, 0) << nightly.out << nightly.err;
  auto list = onBucket({"list", "--json"});
  ASSERT_EQ(list.exitCode, 0) << list.err;
  ASSERT_EQ(json::parse(list.out).size(), 1u) << list.out;
  auto show = onBucket({"schedule", "show"});
  EXPECT_NE(show.out.find(" OK "), std::string::npos) << show.out;
  EXPECT_EQ(onBucket({"schedule", "remove"}).exitCode, 0);
}

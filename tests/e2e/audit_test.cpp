// The audit log against the real stack: one line per operation that reached the repository, with
// who, what and how it ended, never a secret.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "e2e_support.hpp"

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

class AuditLog : public ::testing::Test {
 protected:
  void SetUp() override {
    repo_ = fs::temp_directory_path() / e2e::uniqueName("agentchat-audit");
    fs::create_directories(repo_);
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(repo_, ec);
  }
  e2e::ProcessResult plugin(std::vector<std::string> args) {
    args.insert(args.begin(), {"--repo", repo_.string()});
    return e2e::runPluginOnStack(args);
  }
  fs::path backupDir(const std::string& id) const { return repo_ / e2e::stack("PROJECT") / id; }
  fs::path repo_;
};

}  // namespace

TEST_F(AuditLog, HasOneLinePerOperationAndNoSecrets) {
  REQUIRE_ENGINE(engine);
  auto backup = plugin({"backup", "--only", "mysql,redis", "--json"});
  ASSERT_EQ(backup.exitCode, 0) << backup.err;
  std::string id = json::parse(backup.out)["id"];
  ASSERT_EQ(plugin({"verify", id}).exitCode, 0);
  ASSERT_EQ(plugin({"prune", "--keep-last", "1", "--dry-run"}).exitCode, 0);  // changes nothing: not logged
  ASSERT_EQ(plugin({"prune", "--keep-last", "5"}).exitCode, 0);
  auto corrupt = backupDir(id) / "mysql.sql.zst.chunks";  // a new repository: chunked parts
  {
    std::fstream f(corrupt, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(30);
    f.put('\x7f');
  }
  EXPECT_EQ(plugin({"verify", id}).exitCode, 1);

  fs::path log = repo_ / e2e::stack("PROJECT") / "audit.log";
  EXPECT_EQ(fs::status(log).permissions() & fs::perms::all, fs::perms::owner_read | fs::perms::owner_write);
  std::ifstream in(log);
  std::vector<json> lines;
  std::string all;
  for (std::string line; std::getline(in, line);) {
    lines.push_back(json::parse(line));
    all += line;
  }
  ASSERT_EQ(lines.size(), 4u) << all;
  std::vector<std::string> commands, outcomes;
  for (const auto& l : lines) {
    commands.push_back(l["command"]);
    outcomes.push_back(l["outcome"]);
    for (const char* key : {"time", "user", "host", "project", "seconds", "exitCode"})
      EXPECT_TRUE(l.contains(key)) << key;
  }
  EXPECT_EQ(commands, (std::vector<std::string>{"backup", "verify", "prune", "verify"}));
  EXPECT_EQ(outcomes, (std::vector<std::string>{"ok", "ok", "ok", "failed"}));
  EXPECT_EQ(lines[0]["backupId"], id);
  ASSERT_EQ(lines[0]["parts"].size(), 3u);  // the dump, the RDB and the AOF
  EXPECT_EQ(lines[0]["parts"][0]["sha256"].get<std::string>().size(), 64u);
  EXPECT_EQ(all.find(e2e::stack("MYSQL_ROOT_PASSWORD")), std::string::npos);
}

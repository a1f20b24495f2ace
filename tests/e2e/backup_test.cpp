// backup, list, verify and prune against the real stack: what the backup holds is what the
// databases and volumes held, faults lose nothing, and the stack is left running.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "base/sha256.hpp"
#include "dockerapi/exec.hpp"
#include "e2e_support.hpp"

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

class Backup : public ::testing::Test {
 protected:
  void SetUp() override {
    repo_ = fs::temp_directory_path() / e2e::uniqueName("agentchat-repo");
    fs::create_directories(repo_);
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(repo_, ec);
  }
  e2e::ProcessResult plugin(std::vector<std::string> args, const fs::path& repo = {}) {
    args.insert(args.begin(), {"--repo", (repo.empty() ? repo_ : repo).string()});
    return e2e::runPluginOnStack(args);
  }
  fs::path backupDir(const std::string& id) const { return repo_ / e2e::stack("PROJECT") / id; }
  std::string sh(dockerapi::Engine& engine, const std::string& container, const std::string& script) {
    dockerapi::ExecSpec spec;
    spec.cmd = {"sh", "-c", script};
    auto r = dockerapi::execCapture(engine, container, spec);
    EXPECT_EQ(r.exitCode, 0) << script << ": " << r.err;
    return r.out;
  }
  std::string mysql(dockerapi::Engine& engine, const std::string& sql) {
    dockerapi::ExecSpec spec;
    spec.cmd = {"mariadb", "-uroot", "-N", "-B", "agentchat", "-e", sql};
    spec.env = {"MYSQL_PWD=" + e2e::stack("MYSQL_ROOT_PASSWORD")};
    auto r = dockerapi::execCapture(engine, e2e::stack("MYSQL_CONTAINER"), spec);
    EXPECT_EQ(r.exitCode, 0) << r.err;
    return r.out;
  }
  void expectStackRunning(dockerapi::Engine& engine) {
    for (const char* key : {"MYSQL_CONTAINER", "REDIS_CONTAINER", "BACKEND_CONTAINER"}) {
      auto info = engine.inspectContainer(e2e::stack(key));
      EXPECT_TRUE(info.running && !info.paused) << key << " left " << (info.paused ? "paused" : "stopped");
    }
  }
  bool anyCompleteOrPartial() {
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(repo_ / e2e::stack("PROJECT"), ec)) {
      // The lock, the audit log and the record of the last attempt (a failed one too) are not backups.
      auto name = e.path().filename();
      if (name != ".lock" && name != "audit.log" && name != "backup-last.json") return true;
    }
    return false;
  }
  fs::path repo_;
};

std::string stdoutOf(const std::vector<std::string>& argv) {
  return e2e::runProcess(argv).out;
}

}  // namespace

TEST_F(Backup, OnlineBackupHoldsTheDataAndListVerifyPruneWork) {
  REQUIRE_ENGINE(engine);
  std::string backend = e2e::stack("BACKEND_CONTAINER");
  sh(engine, backend, "mkdir -p /app/data/photos && head -c 300000 /dev/urandom > /app/data/photos/p.bin");
  sh(engine, e2e::stack("REDIS_CONTAINER"),
     "redis-cli SET session:1 alice >/dev/null && redis-cli SET session:2 bob >/dev/null");

  // Whole parts (--no-dedup; a new repository is deduplicated by default): plain files a person opens
  // with zstd and tar. The chunked parts have tests of their own (Dedup.*, RestoreRoundTrip.*).
  auto run = plugin({"backup", "--no-dedup", "--json"});
  ASSERT_EQ(run.exitCode, 0) << run.err;
  auto result = json::parse(run.out);
  std::string id = result["id"];
  EXPECT_LT(result["pauseSeconds"].get<double>(), 3.0);  // about a second; generous for a loaded machine
  expectStackRunning(engine);

  auto manifest = json::parse(std::ifstream(backupDir(id) / "manifest.json"));
  std::set<std::string> parts;
  for (const auto& p : manifest["parts"]) parts.insert(p["name"]);
  EXPECT_EQ(parts, (std::set<std::string>{"mysql.sql.zst", "redis.rdb.zst", "redis-aof.tar.zst",
                                          "volume-app_data.tar.zst", "config.tar.zst",
                                          "logs-backend-app-logs.tar.zst"}));
  // Row counts in the manifest are the database's.
  const auto& tables = manifest["details"]["mysql"]["mysql"]["tables"];
  EXPECT_EQ(tables["agentchat.user"]["rows"].get<int>(),
            std::stoi(mysql(engine, "SELECT COUNT(*) FROM user")));
  EXPECT_EQ(tables["agentchat.type_zoo"]["rows"], 2);
  EXPECT_EQ(tables["agentchat.audit_log"]["engine"], "MyISAM");
  EXPECT_EQ(tables["agentchat.user"]["columnList"][0], json({"user_id", "varchar(32)", false}));
  EXPECT_EQ(tables["agentchat.user"]["columnList"][2], json({"user_email", "varchar(128)", true}));
  const auto& mysqlService = manifest["details"]["stack"]["services"]["mysql"];
  EXPECT_TRUE(mysqlService["imageId"].get<std::string>().starts_with("sha256:"));
  EXPECT_TRUE(mysqlService["repoDigests"].is_array());  // empty: the test images are imported, not pulled
  EXPECT_EQ(manifest["details"]["stack"]["volumes"]["app_data"]["driver"], "local");
  EXPECT_EQ(manifest["details"]["redis"]["redis"]["keys"]["db0"].get<int>(),
            std::stoi(sh(engine, e2e::stack("REDIS_CONTAINER"), "redis-cli DBSIZE")));

  // Plain files a person can open with stock tools: zstd, tar.
  std::string dir = backupDir(id).string();
  EXPECT_NE(
      stdoutOf({"sh", "-c", "zstd -dc " + dir + "/mysql.sql.zst | tail -c 200"}).find("-- Dump completed"),
      std::string::npos);
  EXPECT_EQ(stdoutOf({"sh", "-c",
                      "zstd -dc " + dir +
                          "/volume-app_data.tar.zst | tar -xOf - ./photos/p.bin | sha256sum | cut -c1-64"}),
            sh(engine, backend, "sha256sum /app/data/photos/p.bin | cut -c1-64"));
  EXPECT_EQ(stdoutOf({"sh", "-c", "zstd -dc " + dir + "/redis.rdb.zst | head -c 5"}), "REDIS");
  std::string config = stdoutOf({"sh", "-c", "zstd -dc " + dir + "/config.tar.zst | tar -tf -"});
  EXPECT_NE(config.find("project/docker-compose.yml"), std::string::npos) << config;
  EXPECT_NE(config.find("project/mysql/init/02-types.sql"), std::string::npos) << config;
  EXPECT_NE(config.find("project/.env"), std::string::npos) << config;
  // Files 0600, directories 0700.
  EXPECT_EQ(fs::status(backupDir(id)).permissions() & fs::perms::all, fs::perms::owner_all);
  EXPECT_EQ(fs::status(backupDir(id) / "mysql.sql.zst").permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write);
  // The password never reaches a file name, the manifest or an argument list.
  std::string manifestText = json(manifest).dump();
  EXPECT_EQ(manifestText.find(e2e::stack("MYSQL_ROOT_PASSWORD")), std::string::npos);

  auto verify = plugin({"verify", "latest"});
  EXPECT_EQ(verify.exitCode, 0) << verify.out << verify.err;
  // The restore drill loads the dump and the RDB into throwaway containers and finds the same rows and keys.
  auto deep = plugin({"verify", "--deep", "--json"});
  ASSERT_EQ(deep.exitCode, 0) << deep.out << deep.err;
  auto drills = json::parse(deep.out)["drills"];
  ASSERT_EQ(drills.size(), 2u) << deep.out;
  dockerapi::Filters helpers;
  helpers["label"] = {"io.agentchat.helper"};
  EXPECT_TRUE(engine.listContainers(helpers, true).empty()) << "the drill left a container behind";
  EXPECT_TRUE(engine.listVolumes(helpers).empty()) << "the drill left a volume behind";
  auto second = plugin({"--log-format", "json", "backup", "--only", "mysql,config"});
  ASSERT_EQ(second.exitCode, 0) << second.err;
  std::istringstream lines(second.err);
  int logged = 0;
  for (std::string line; std::getline(lines, line); ++logged) {
    auto entry = json::parse(line, nullptr, false);
    ASSERT_FALSE(entry.is_discarded()) << "not JSON: " << line;
    EXPECT_TRUE(entry.contains("level") && entry.contains("msg") && entry.contains("time")) << line;
  }
  EXPECT_GE(logged, 2);
  auto list = json::parse(plugin({"list", "--json"}).out);
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[1]["id"], id);  // newest first
  EXPECT_EQ(list[1]["verified"], true);
  EXPECT_TRUE(list[0]["verified"].is_null());
  EXPECT_EQ(list[0]["parts"], 2);

  // A flipped byte in any part makes verify fail and name the part.
  {
    std::fstream f(backupDir(id) / "volume-app_data.tar.zst",
                   std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(20);
    f.put('\x5a');
  }
  auto broken = plugin({"verify", id});
  EXPECT_EQ(broken.exitCode, 1);
  EXPECT_NE(broken.out.find("FAILED  volume-app_data.tar.zst"), std::string::npos) << broken.out;
  // A dump that does not hold what the manifest says fails the drill, naming the table.
  {
    auto m = json::parse(std::ifstream(backupDir(id) / "manifest.json"));
    m["details"]["mysql"]["mysql"]["tables"]["agentchat.user"]["rows"] = 999;
    std::ofstream(backupDir(id) / "manifest.json") << m.dump();
  }
  auto drill = plugin({"verify", id, "--deep"});
  EXPECT_EQ(drill.exitCode, 1);
  EXPECT_NE(drill.out.find("agentchat.user: 999 rows in the manifest"), std::string::npos) << drill.out;

  // prune keeps the newest whatever the policy says, and deletes the rest.
  auto dry = plugin({"prune", "--keep-last", "1", "--dry-run"});
  EXPECT_NE(dry.out.find("would delete " + id), std::string::npos) << dry.out;
  EXPECT_TRUE(fs::exists(backupDir(id)));
  auto prune = plugin({"prune", "--keep-last", "1"});
  EXPECT_EQ(prune.exitCode, 0) << prune.err;
  EXPECT_FALSE(fs::exists(backupDir(id)));
  EXPECT_EQ(json::parse(plugin({"list", "--json"}).out).size(), 1u);
  sh(engine, backend, "rm -rf /app/data/photos");
}

TEST_F(Backup, StopModeCopiesDatabaseVolumesRawAndStartsEverythingAgain) {
  REQUIRE_ENGINE(engine);
  auto run = plugin({"backup", "--no-dedup", "--consistency", "stop", "--only", "volumes", "--json"});
  ASSERT_EQ(run.exitCode, 0) << run.err;
  expectStackRunning(engine);
  auto result = json::parse(run.out);
  std::set<std::string> parts;
  for (const auto& p : result["parts"]) parts.insert(p["name"]);
  EXPECT_TRUE(parts.count("volume-mysql_data.tar.zst") && parts.count("volume-redis_data.tar.zst"))
      << run.out;
  std::string dir = backupDir(result["id"]).string();
  std::string files = stdoutOf({"sh", "-c", "zstd -dc " + dir + "/volume-mysql_data.tar.zst | tar -tf -"});
  EXPECT_NE(files.find("./agentchat/user.frm"), std::string::npos) << files.substr(0, 500);
  // MySQL answers again after the restart.
  auto ready = [&] {
    dockerapi::ExecSpec spec;
    spec.cmd = {"mariadb-admin", "-uroot", "ping"};
    spec.env = {"MYSQL_PWD=" + e2e::stack("MYSQL_ROOT_PASSWORD")};
    return dockerapi::execCapture(engine, e2e::stack("MYSQL_CONTAINER"), spec).exitCode == 0;
  };
  for (int i = 0; i < 120 && !ready(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(500));
  EXPECT_EQ(mysql(engine, "SELECT COUNT(*) FROM agent"), "2\n");
}

TEST_F(Backup, BadInputGetsAClearErrorAndLeavesNothingBehind) {
  REQUIRE_ENGINE(engine);
  // Engine down.
  auto down =
      e2e::runProcess({e2e::pluginPath(), "-H", "unix:///nonexistent/docker.sock", "-p", "x", "backup"});
  EXPECT_EQ(down.exitCode, 3) << down.err;
  // Unknown project.
  fs::path empty = repo_ / "empty";
  fs::create_directories(empty);
  auto unknown = e2e::runProcess(
      {"sh", "-c", "cd " + empty.string() + " && " + e2e::pluginPath() + " -p no-such-project-xyz backup"});
  EXPECT_EQ(unknown.exitCode, 4) << unknown.err;
  EXPECT_NE(unknown.err.find("no-such-project-xyz"), std::string::npos);
  // Repository not writable (a path below a regular file).
  std::ofstream(repo_ / "file") << "x";
  auto unwritable = plugin({"backup", "--only", "config"}, repo_ / "file" / "repo");
  EXPECT_EQ(unwritable.exitCode, 1);
  EXPECT_NE(unwritable.err.find("cannot create"), std::string::npos) << unwritable.err;
  // --only with an unknown part, and an unknown backup id.
  EXPECT_EQ(plugin({"backup", "--only", "postgresql"}).exitCode, 2);
  EXPECT_EQ(plugin({"verify", "20200101T000000Z"}).exitCode, 4);
  expectStackRunning(engine);
}

TEST_F(Backup, AFullDiskFailsTheBackupAndLeavesNoPartialBackupAndTheEarlierOneWhole) {
  REQUIRE_ENGINE(engine);
  fs::path small = repo_ / "small";
  fs::create_directories(small);
  ASSERT_EQ(::mount("tmpfs", small.c_str(), "tmpfs", 0, "size=256k"), 0)
      << "mount tmpfs: " << std::strerror(errno);
  // An earlier backup that fits, then one that does not.
  auto earlier = plugin({"backup", "--only", "redis", "--json"}, small);
  ASSERT_EQ(earlier.exitCode, 0) << earlier.err;
  std::string earlierId = nlohmann::json::parse(earlier.out)["id"];
  sh(engine, e2e::stack("BACKEND_CONTAINER"),
     "mkdir -p /app/data/big && head -c 3000000 /dev/urandom > /app/data/big/r.bin");
  auto run = plugin({"backup"}, small);
  sh(engine, e2e::stack("BACKEND_CONTAINER"), "rm -rf /app/data/big");
  std::error_code ec;
  std::vector<std::string> left;
  for (const auto& e : fs::directory_iterator(small / e2e::stack("PROJECT"), ec)) {
    if (e.path().filename() != "audit.log" && e.path().filename() != "backup-last.json")
      left.push_back(e.path().filename());
  }
  // The attempt is recorded as failed when the disk had room for that much after the cleanup.
  std::ifstream record(small / e2e::stack("PROJECT") / "backup-last.json");
  if (record) {
    EXPECT_EQ(nlohmann::json::parse(record).value("exitCode", -1), 1);
  }
  std::sort(left.begin(), left.end());
  auto verify = plugin({"verify", earlierId, "--deep"}, small);
  ::umount(small.c_str());
  EXPECT_EQ(run.exitCode, 1) << run.err;
  EXPECT_NE(run.err.find("full"), std::string::npos) << run.err;
  // No partial backup and no journal; the earlier backup is whole.
  EXPECT_EQ(left, (std::vector<std::string>{".lock", earlierId}));
  EXPECT_EQ(verify.exitCode, 0) << verify.err;
  expectStackRunning(engine);
}

TEST_F(Backup, AStoppedDatabaseIsNamedWithWhatToDo) {
  REQUIRE_ENGINE(engine);
  std::string redis = e2e::stack("REDIS_CONTAINER");
  engine.stopContainer(redis, 10);
  auto run = plugin({"backup", "--only", "redis"});
  engine.startContainer(redis);
  EXPECT_EQ(run.exitCode, 1);
  EXPECT_NE(run.err.find("service redis is not running"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("--consistency stop"), std::string::npos) << run.err;
  EXPECT_FALSE(anyCompleteOrPartial());
  for (int i = 0; i < 100 && sh(engine, redis, "redis-cli ping || true") != "PONG\n"; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
}

TEST_F(Backup, SigintMidBackupUnpausesAndLeavesNoBackupAndNoLock) {
  REQUIRE_ENGINE(engine);
  std::string backend = e2e::stack("BACKEND_CONTAINER");
  sh(engine, backend, "mkdir -p /app/data/big && head -c 400000000 /dev/urandom > /app/data/big/r.bin");
  std::vector<std::string> argv{
      e2e::pluginPath(),        "--repo", repo_.string(), "-p", e2e::stack("PROJECT"), "--project-directory",
      e2e::stack("PROJECT_DIR")};
  for (const auto& f : e2e::composeFiles()) argv.insert(argv.end(), {"-f", f});
  argv.push_back("backup");
  pid_t child = ::fork();
  if (child == 0) {
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  // Wait until the volume part is being written (its chunk list: a new repository is deduplicated),
  // then interrupt.
  fs::path partPath;
  for (int i = 0; i < 600 && partPath.empty(); ++i) {
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(repo_ / e2e::stack("PROJECT"), ec)) {
      if (fs::exists(e.path() / "volume-app_data.tar.zst.chunks", ec)) partPath = e.path();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_FALSE(partPath.empty()) << "the backup never started writing the volume part";
  // Held there (SIGSTOP: a backup this fast would otherwise end first), a second backup of the same
  // project is refused, naming the one running; then the interrupt.
  ::kill(child, SIGSTOP);
  auto second = plugin({"backup", "--only", "config"});
  EXPECT_EQ(second.exitCode, 1);
  EXPECT_NE(second.err.find("another backup or restore of project"), std::string::npos) << second.err;
  EXPECT_NE(second.err.find("pid " + std::to_string(child)), std::string::npos) << second.err;
  ::kill(child, SIGINT);
  ::kill(child, SIGCONT);
  int status = 0;
  ::waitpid(child, &status, 0);
  sh(engine, backend, "rm -rf /app/data/big");
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 130);
  expectStackRunning(engine);
  EXPECT_FALSE(anyCompleteOrPartial()) << "an interrupted backup left files behind";
  dockerapi::Filters helpers;
  helpers["label"] = {"io.agentchat.helper"};
  EXPECT_TRUE(engine.listContainers(helpers, true).empty()) << "a helper container was left behind";
  // The lock went with the process: the next backup runs.
  EXPECT_EQ(plugin({"backup", "--only", "config"}).exitCode, 0);
}

TEST_F(Backup, AWrongPasswordIsReportedBeforeAnythingIsPaused) {
  REQUIRE_ENGINE(engine);
  std::string right = e2e::stack("MYSQL_ROOT_PASSWORD");
  auto setPassword = [&](const std::string& from, const std::string& to) {
    dockerapi::ExecSpec spec;
    spec.cmd = {"mariadb", "-uroot"};
    spec.env = {"MYSQL_PWD=" + from};
    std::string sql = "ALTER USER 'root'@'localhost' IDENTIFIED BY '" + to +
                      "'; ALTER USER 'root'@'%' IDENTIFIED BY '" + to + "';";
    return dockerapi::execCapture(engine, e2e::stack("MYSQL_CONTAINER"), spec, sql).exitCode;
  };
  ASSERT_EQ(setPassword(right, "changed-behind-our-back"), 0);
  auto run = plugin({"backup", "--only", "mysql"});
  EXPECT_EQ(setPassword("changed-behind-our-back", right), 0);
  EXPECT_EQ(run.exitCode, 1);
  EXPECT_NE(run.err.find("Access denied"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("MYSQL_ROOT_PASSWORD"), std::string::npos) << run.err;
  EXPECT_EQ(run.err.find("paused"), std::string::npos) << "paused writers for a backup that could not run";
  EXPECT_EQ(run.err.find(right), std::string::npos);
  EXPECT_FALSE(anyCompleteOrPartial());
}

TEST_F(Backup, ADumpThatDiesMidwayFailsTheBackup) {
  REQUIRE_ENGINE(engine);
  std::string mysqlId = e2e::stack("MYSQL_CONTAINER");
  // A session write-locking the MyISAM table stalls the dump when it reaches it, so the dump is
  // certainly still running, with part of its output written, when it is killed.
  dockerapi::ExecSpec holder;
  holder.cmd = {
      "sh", "-c",
      "mariadb -uroot agentchat -e 'LOCK TABLES audit_log WRITE; SELECT SLEEP(120)' >/dev/null 2>&1 &"};
  holder.env = {"MYSQL_PWD=" + e2e::stack("MYSQL_ROOT_PASSWORD")};
  ASSERT_EQ(dockerapi::execCapture(engine, mysqlId, holder).exitCode, 0);
  std::vector<std::string> argv{
      e2e::pluginPath(),        "--repo", repo_.string(), "-p", e2e::stack("PROJECT"), "--project-directory",
      e2e::stack("PROJECT_DIR")};
  for (const auto& f : e2e::composeFiles()) argv.insert(argv.end(), {"-f", f});
  argv.insert(argv.end(), {"backup", "--only", "mysql"});
  e2e::ProcessResult run;
  std::thread backup([&] { run = e2e::runProcess(argv); });
  bool killed = false;
  for (int i = 0; i < 200 && !killed; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    killed = sh(engine, mysqlId, "if pkill -x mariadb-dump || pkill -x mysqldump; then echo killed; fi") ==
             "killed\n";
  }
  backup.join();
  sh(engine, mysqlId, "pkill -f 'SLEEP\\(120\\)' || true");
  ASSERT_TRUE(killed) << "the dump never ran";
  EXPECT_EQ(run.exitCode, 1) << run.err;
  EXPECT_NE(run.err.find("service mysql"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("killed"), std::string::npos) << run.err;
  EXPECT_FALSE(anyCompleteOrPartial());
  expectStackRunning(engine);
}

TEST_F(Backup, LogsAreIncrementalAndExcludedFilesStayOut) {
  REQUIRE_ENGINE(engine);
  std::string backend = e2e::stack("BACKEND_CONTAINER");
  sh(engine, backend,
     "echo old > /app/logs/rotated.log.1 && touch -d '2026-01-01 00:00:00' /app/logs/rotated.log.1 && "
     "mkdir -p /app/data/keep && echo k > /app/data/keep/a.txt && echo t > /app/data/keep/scratch.tmp");
  auto first = json::parse(plugin({"backup", "--only", "logs,volumes", "--json"}).out);
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  sh(engine, backend, "echo fresh >> /app/logs/new.log");
  auto second = json::parse(plugin({"backup", "--only", "logs,volumes", "--json"}).out);
  auto list = [&](const json& backup, const std::string& part) {
    std::string file = (repo_ / "part.zst").string();
    e2e::partAsZstFile(repo_.string(), e2e::stack("PROJECT"), backup["id"], part, file);
    return stdoutOf({"sh", "-c", "zstd -dc " + file + " | tar -tf -"});
  };
  std::string firstLogs = list(first, "logs-backend-app-logs.tar.zst");
  std::string secondLogs = list(second, "logs-backend-app-logs.tar.zst");
  EXPECT_NE(firstLogs.find("logs/rotated.log.1"), std::string::npos) << firstLogs;
  EXPECT_EQ(secondLogs.find("logs/rotated.log.1"), std::string::npos) << "unchanged file taken again:\n"
                                                                      << secondLogs;
  EXPECT_NE(secondLogs.find("logs/new.log"), std::string::npos) << secondLogs;
  std::string volume = list(second, "volume-app_data.tar.zst");
  EXPECT_NE(volume.find("./keep/a.txt"), std::string::npos) << volume;
  EXPECT_EQ(volume.find("scratch.tmp"), std::string::npos) << "excluded file in the volume part";
  auto manifest = json::parse(std::ifstream(backupDir(second["id"]) / "manifest.json"));
  EXPECT_FALSE(manifest["details"]["logs"]["logs-backend-app-logs.tar.zst"]["since"].is_null());
  sh(engine, backend, "rm -rf /app/logs/rotated.log.1 /app/logs/new.log /app/data/keep");
}

TEST_F(Backup, TheRepositoryIsTheOptionElseAgentchatRepoElseBackupsBesideTheComposeFile) {
  REQUIRE_ENGINE(engine);
  std::vector<std::string> argv{e2e::pluginPath(), "-p", e2e::stack("PROJECT"), "--project-directory",
                                e2e::stack("PROJECT_DIR")};
  for (const auto& f : e2e::composeFiles()) argv.insert(argv.end(), {"-f", f});
  argv.insert(argv.end(), {"backup", "--only", "config", "--json"});
  auto viaEnv = e2e::runProcess(argv, {{"AGENTCHAT_REPO", repo_.string()}});
  ASSERT_EQ(viaEnv.exitCode, 0) << viaEnv.err;
  EXPECT_TRUE(fs::exists(backupDir(json::parse(viaEnv.out)["id"]) / "manifest.json"));

  fs::path backups = fs::path(e2e::stack("PROJECT_DIR")) / "backups";
  fs::path beside = backups / e2e::stack("PROJECT");
  bool existed = fs::exists(backups);
  auto byDefault = e2e::runProcess(argv);
  ASSERT_EQ(byDefault.exitCode, 0) << byDefault.err;
  std::string id = json::parse(byDefault.out)["id"];
  EXPECT_TRUE(fs::exists(beside / id / "manifest.json")) << beside;
  // The repository never ends up inside the config part that lives beside it.
  std::string listed =
      stdoutOf({"sh", "-c", "zstd -dc " + (beside / id / "config.tar.zst").string() + " | tar -tf -"});
  EXPECT_EQ(listed.find("backups/"), std::string::npos) << listed;
  // Leave no repository behind: `status` would then warn that it holds too few backups.
  fs::remove_all(existed ? beside : backups);
}

TEST_F(Backup, AMariaDb11StackWithOnlyMariadbToolsBacksUpAndPassesTheRestoreDrill) {
  REQUIRE_ENGINE(engine);
  std::string dir = e2e::stack("PROJECT_DIR");
  fs::path state = repo_ / "mariadb11.env";
  struct Down {
    std::string script, state;
    ~Down() { e2e::runProcess({"bash", script, state}); }
  } down{dir + "/down.sh", state.string()};
  auto up = e2e::runProcess({"bash", dir + "/up.sh", state.string(), dir + "/docker-compose.mariadb11.yml"});
  ASSERT_EQ(up.exitCode, 0) << up.out << up.err;
  std::string project;
  std::ifstream in(state);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("PROJECT=", 0) == 0) project = line.substr(8);
  }
  ASSERT_FALSE(project.empty());
  auto plugin11 = [&](std::vector<std::string> args) {
    std::vector<std::string> argv{e2e::pluginPath(),
                                  "--repo",
                                  repo_.string(),
                                  "-p",
                                  project,
                                  "--project-directory",
                                  dir,
                                  "-f",
                                  dir + "/docker-compose.yml",
                                  "-f",
                                  dir + "/docker-compose.mariadb11.yml"};
    argv.insert(argv.end(), args.begin(), args.end());
    return e2e::runProcess(argv);
  };
  auto backup = plugin11({"backup", "--json"});
  ASSERT_EQ(backup.exitCode, 0) << backup.err;
  auto manifest = json::parse(
      std::ifstream(repo_ / project / json::parse(backup.out)["id"].get<std::string>() / "manifest.json"));
  EXPECT_EQ(manifest["details"]["mysql"]["mysql"]["tables"]["agentchat.type_zoo"]["rows"], 2);
  EXPECT_NE(manifest["details"]["mysql"]["mysql"]["serverVersion"].get<std::string>().find("MariaDB"),
            std::string::npos);
  auto deep = plugin11({"verify", "--deep"});
  EXPECT_EQ(deep.exitCode, 0) << deep.out << deep.err;
}

TEST_F(Backup, CompatFindsSchemaChangesSinceTheBackup) {
  REQUIRE_ENGINE(engine);
  auto run = plugin({"backup", "--only", "mysql,redis"});
  ASSERT_EQ(run.exitCode, 0) << run.err;
  auto same = plugin({"compat", "--json"});
  EXPECT_EQ(same.exitCode, 0) << same.out << same.err;
  EXPECT_EQ(json::parse(same.out)["risk"], "none") << same.out;

  mysql(engine, "ALTER TABLE user ADD COLUMN phone VARCHAR(32) NULL");
  auto changed = plugin({"compat", "--json"});
  mysql(engine, "ALTER TABLE user DROP COLUMN phone");
  EXPECT_EQ(changed.exitCode, 1) << changed.out << changed.err;
  auto result = json::parse(changed.out);
  EXPECT_EQ(result["risk"], "high");
  ASSERT_EQ(result["findings"].size(), 1u) << changed.out;
  EXPECT_EQ(result["findings"][0]["subject"], "agentchat.user.phone");
}

// Pure logic of a restore: what the plan puts back where, what it stops, what it refuses; the
// guarded tar stream; config unpacked onto the host.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "agentchat_stack.hpp"
#include "dockerapi/http_engine.hpp"
#include "plugin/restore/restore_drill.hpp"
#include "plugin/restore/restore_plan.hpp"
#include "tests/support/tar_blocks.hpp"
#include "volumes/guarded_tar.hpp"
#include "volumes/host_archive.hpp"
#include "volumes/host_restore.hpp"

using namespace agentchat;
using agentchat_test::agentchatStack;
using agentchat_test::tarOf;
using agentchat_test::ustarBlock;
using ::testing::HasSubstr;
namespace fs = std::filesystem;

namespace {

volumes::Manifest onlineBackup() {
  volumes::Manifest m;
  m.id = "20261124T020000Z";
  m.project = "chat";
  m.consistency = "online";
  auto part = [&](std::string name, std::string kind, std::string service, std::string source) {
    m.parts.push_back(
        {std::move(name), std::move(kind), std::move(service), std::move(source), 1, 1, "", "", "", 0});
  };
  part("logs-backend-app-logs.tar.zst", "logs", "backend", "/app/logs");
  part("mysql.sql.zst", "mysql-dump", "mysql", "");
  part("redis.rdb.zst", "redis-rdb", "redis", "");
  part("redis-aof.tar.zst", "redis-aof", "redis", "/data/appendonlydir");
  part("volume-app_data.tar.zst", "volume", "backend", "chat_app_data");
  part("config.tar.zst", "config", "", "/srv/chat");
  return m;
}

std::vector<std::string> kinds(const RestorePlan& plan) {
  std::vector<std::string> out;
  for (const auto& i : plan.items) out.push_back(volumes::partKindName(i.kind));
  return out;
}

}  // namespace

TEST(RestorePlan, FollowsTheGuideDatabasesFirstThenFilesAndStopsOnlyTheApps) {
  auto plan = planRestore(onlineBackup(), agentchatStack(), {});
  EXPECT_EQ(kinds(plan), (std::vector<std::string>{"mysql-dump", "redis-rdb", "volume", "config", "logs"}));
  EXPECT_EQ(plan.items[2].volume, "chat_app_data");
  EXPECT_EQ(plan.items[4].path, "/app/logs");
  ASSERT_EQ(plan.stop.size(), 1u);
  EXPECT_EQ(plan.stop[0].name, "chat_backend_1");
  EXPECT_THAT(plan.notes.at(0), HasSubstr("rebuilt from redis's RDB"));
  EXPECT_TRUE(plan.missingVolumes.empty());
}

TEST(RestorePlan, ARawDatabaseVolumeStopsItsDatabaseAfterItsDependents) {
  auto backup = onlineBackup();
  backup.consistency = "stop";
  backup.parts = {{"volume-mysql_data.tar.zst", "volume", "mysql", "chat_mysql_data", 1, 1, "", "", "", 0},
                  {"volume-app_data.tar.zst", "volume", "backend", "chat_app_data", 1, 1, "", "", "", 0}};
  auto stack = agentchatStack();
  stack.volumes["mysql_data"].exists = false;
  auto plan = planRestore(backup, stack, {});
  std::vector<std::string> stopped;
  for (const auto& c : plan.stop) stopped.push_back(c.name);
  EXPECT_EQ(stopped, (std::vector<std::string>{"chat_backend_1", "chat_mysql_1"}));
  EXPECT_EQ(plan.missingVolumes, (std::vector<std::string>{"chat_mysql_data"}));
}

// A kind a newer version wrote: a restore that skipped it would call itself complete.
TEST(RestorePlan, APartOfAnUnknownKindIsRefusedUnlessOnlyLeavesItOut) {
  auto backup = onlineBackup();
  backup.parts.push_back(
      {"sqlite-backend-app.db.zst", "sqlite-online", "backend", "/app/data/app.db", 1, 1, "", "", "", 0});
  try {
    planRestore(backup, agentchatStack(), {});
    FAIL() << "a part of an unknown kind was planned around";
  } catch (const std::invalid_argument& e) {
    EXPECT_THAT(e.what(), HasSubstr("part sqlite-backend-app.db.zst is of kind \"sqlite-online\""));
    EXPECT_THAT(e.what(), HasSubstr("upgrade, or restore the other parts with --only"));
  }
  auto plan = planRestore(backup, agentchatStack(), parseRestoreSelection("mysql"));
  EXPECT_EQ(kinds(plan), (std::vector<std::string>{"mysql-dump"}));
  EXPECT_THAT(plan.notes.back(), HasSubstr("unknown to this version: not restored"));
  EXPECT_FALSE(backup.parts.back().knownKind());
  EXPECT_TRUE(backup.parts.front().knownKind());
}

// verify --deep proves a backup restorable; this version cannot prove that of a kind it does not know.
// Decided before any engine call (the endpoint here answers nothing).
TEST(RestoreDrill, APartOfAnUnknownKindFailsTheDrill) {
  volumes::Manifest backup;
  backup.parts = {
      {"sqlite-backend-app.db.zst", "sqlite-online", "backend", "/app/data/app.db", 1, 1, "", "", "", 0}};
  dockerapi::Endpoint nowhere;
  nowhere.socketPath = "/nonexistent/docker.sock";
  dockerapi::HttpEngine engine(nowhere);
  auto results = restoreDrill(engine, backup, {nullptr, "chat", "x"}, nullptr);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_FALSE(results[0].ok);
  EXPECT_THAT(results[0].problems.at(0), HasSubstr("kind \"sqlite-online\" is unknown to this version"));
}

TEST(PartKind, NamesRoundTrip) {
  for (auto kind : {volumes::PartKind::MysqlDump, volumes::PartKind::RedisRdb, volumes::PartKind::RedisAof,
                    volumes::PartKind::Volume, volumes::PartKind::Config, volumes::PartKind::Logs})
    EXPECT_EQ(volumes::parsePartKind(volumes::partKindName(kind)), kind);
  EXPECT_FALSE(volumes::parsePartKind("Volume"));
  EXPECT_FALSE(volumes::parsePartKind(""));
}

TEST(RestorePlan, OnlySelectsComponentsAndSingleVolumes) {
  auto plan = planRestore(onlineBackup(), agentchatStack(), parseRestoreSelection("mysql,volume:app_data"));
  EXPECT_EQ(kinds(plan), (std::vector<std::string>{"mysql-dump", "volume"}));
  EXPECT_THROW(parseRestoreSelection("mysql,everything"), std::invalid_argument);
  EXPECT_THROW(planRestore(onlineBackup(), agentchatStack(), parseRestoreSelection("volume:nope")),
               std::invalid_argument);
}

TEST(RestorePlan, AnotherProjectGetsItsOwnVolumesButNotTheOriginalsHostFiles) {
  auto target = agentchatStack();
  target.name = "chat-staging";
  target.volumes["app_data"].name = "chat-staging_app_data";
  auto plan = planRestore(onlineBackup(), target, {});
  EXPECT_EQ(kinds(plan), (std::vector<std::string>{"mysql-dump", "redis-rdb", "volume", "logs"}));
  EXPECT_EQ(plan.items[2].volume, "chat-staging_app_data");
}

TEST(RestorePlan, APartForAServiceTheStackLacksIsRefusedWithWhatToDo) {
  auto stack = agentchatStack();
  stack.services.erase("redis");
  try {
    planRestore(onlineBackup(), stack, {});
    FAIL() << "no error";
  } catch (const std::invalid_argument& e) {
    EXPECT_THAT(e.what(), HasSubstr("redis.rdb.zst"));
    EXPECT_THAT(e.what(), HasSubstr("--only"));
  }
  EXPECT_EQ(volumeKeyOf("volume-app_data.tar.zst"), "app_data");
  EXPECT_EQ(volumeKeyOf("config.tar.zst"), "");
}

namespace {

// Pulls `tar` through a GuardedTarSource in small reads; the error, or "" with the bytes in `out`.
std::string pullGuarded(const std::string& tar, std::string& out, const std::string& within = {}) {
  std::size_t offset = 0;
  volumes::GuardedTarSource guarded(
      [&](char* buffer, std::size_t capacity) {
        std::size_t n = std::min<std::size_t>({capacity, tar.size() - offset, 700});
        std::copy_n(tar.data() + offset, n, buffer);
        offset += n;
        return n;
      },
      within);
  char buffer[333];
  try {
    while (std::size_t n = guarded.read(buffer, sizeof buffer)) out.append(buffer, n);
  } catch (const base::TarError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST(GuardedTar, PassesAGoodArchiveByteForByteAndStopsBeforeABadEntry) {
  std::string good =
      tarOf({ustarBlock("./", '5'), ustarBlock("./a.txt", '0', "", 600), ustarBlock("./l", '2', "a.txt")});
  std::string out;
  EXPECT_EQ(pullGuarded(good, out), "");
  EXPECT_EQ(out, good);

  std::string bad = tarOf(
      {ustarBlock("./a.txt", '0', "", 3), ustarBlock("./l", '2', "/etc"), ustarBlock("./l/passwd", '0')});
  out.clear();
  EXPECT_THAT(pullGuarded(bad, out), HasSubstr("symlink to an absolute path"));
  EXPECT_EQ(out.find("passwd"), std::string::npos);  // its header was never handed on

  out.clear();
  EXPECT_THAT(pullGuarded(tarOf({ustarBlock("logs/a", '0'), ustarBlock("etc/b", '0')}), out, "logs"),
              HasSubstr("outside logs/"));
}

class HostRestore : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("agentchat-hostrestore-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "project/uploads/sub");
    std::ofstream(dir_ / "project/uploads/sub/a.txt") << "backed up";
    std::ofstream(dir_ / "project/compose.yml") << "services: {}";
    fs::create_symlink("sub/a.txt", dir_ / "project/uploads/link");
    fs::permissions(dir_ / "project/uploads/sub/a.txt", fs::perms(0600));
  }
  void TearDown() override { fs::remove_all(dir_); }

  // The project directory as a config part would hold it.
  std::string archive() {
    std::string tar;
    volumes::archiveHostPaths({{dir_ / "project/compose.yml", "project/compose.yml"},
                               {dir_ / "project/uploads", "project/uploads"}},
                              [&](std::string_view chunk) { tar.append(chunk); });
    return tar;
  }
  static base::ChunkSource from(const std::string& tar) {
    auto offset = std::make_shared<std::size_t>(0);
    return [&tar, offset](char* buffer, std::size_t capacity) {
      std::size_t n = std::min(capacity, tar.size() - *offset);
      std::copy_n(tar.data() + *offset, n, buffer);
      *offset += n;
      return n;
    };
  }
  fs::path dir_;
};

TEST_F(HostRestore, PutsFilesBackWithModesAndLinksAndRemovesWhatTheBackupLacked) {
  std::string tar = archive();
  fs::remove(dir_ / "project/uploads/sub/a.txt");
  std::ofstream(dir_ / "project/uploads/new.txt") << "after the backup";
  fs::create_directories(dir_ / "project/uploads/backups");
  std::ofstream(dir_ / "project/uploads/backups/keep") << "the repository";
  auto result =
      volumes::restoreHostPaths(from(tar), dir_ / "project", {"project/uploads", "project/compose.yml"},
                                {dir_ / "project/uploads/backups"});
  EXPECT_EQ(std::ifstream(dir_ / "project/uploads/sub/a.txt").rdbuf() != nullptr, true);
  std::string content;
  std::getline(std::ifstream(dir_ / "project/uploads/sub/a.txt"), content);
  EXPECT_EQ(content, "backed up");
  EXPECT_EQ(fs::status(dir_ / "project/uploads/sub/a.txt").permissions(), fs::perms(0600));
  EXPECT_EQ(fs::read_symlink(dir_ / "project/uploads/link"), "sub/a.txt");
  EXPECT_FALSE(fs::exists(dir_ / "project/uploads/new.txt"));
  EXPECT_TRUE(fs::exists(dir_ / "project/uploads/backups/keep"));
  EXPECT_EQ(result.removed, 1u);
}

TEST_F(HostRestore, RefusesEntriesThatClimbOutAndWritesNothingOfThem) {
  std::string tar =
      tarOf({ustarBlock("project/ok", '0', "", 2), ustarBlock("project/../../escaped", '0', "", 2)});
  EXPECT_THROW(volumes::restoreHostPaths(from(tar), dir_ / "project", {}, {}), base::TarError);
  EXPECT_FALSE(fs::exists(dir_ / "escaped"));
  EXPECT_FALSE(fs::exists(dir_.parent_path() / "escaped"));
  EXPECT_EQ(volumes::hostPathOf("host/etc/app.conf", "/srv"), fs::path("/etc/app.conf"));
  EXPECT_EQ(volumes::hostPathOf("project/a/../b", "/srv/chat"), fs::path("/srv/chat/b"));
  EXPECT_EQ(volumes::hostPathOf("other/x", "/srv/chat"), fs::path());
}

TEST_F(HostRestore, OnlyTheStacksOwnConfigPathsAreWritten) {
  // A config part that also carries a file elsewhere on the host (a tampered backup, or a bind mount
  // the stack no longer has): that entry is skipped, the rest restored.
  std::string tar = tarOf({ustarBlock("project/compose.yml", '0', "", 2),
                           ustarBlock("host" + (dir_ / "cron.d/evil").string(), '0', "", 2),
                           ustarBlock("project/uploads/", '5'), ustarBlock("project/uploads/a", '0', "", 2)});
  std::set<std::string> only{"project/compose.yml", "project/uploads"};
  auto result = volumes::restoreHostPaths(from(tar), dir_ / "project", {}, {}, "/", &only);
  EXPECT_TRUE(fs::exists(dir_ / "project/compose.yml"));
  EXPECT_TRUE(fs::exists(dir_ / "project/uploads/a"));
  EXPECT_FALSE(fs::exists(dir_ / "cron.d/evil"));
  EXPECT_EQ(result.skipped, std::vector<std::string>{"host" + (dir_ / "cron.d/evil").string()});
  EXPECT_EQ(result.entries, 3u);
}

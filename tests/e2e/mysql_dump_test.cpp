// The logical dump against the real server: streamed through zstd into a staged repository part,
// readable with the stock zstd tool, with the binlog position recorded; failures are loud and
// leave nothing that looks like a backup.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "e2e_support.hpp"
#include "plugin/databases/mysql_dump.hpp"
#include "volumes/local_repository.hpp"
#include "volumes/zstd_stream.hpp"

namespace fs = std::filesystem;

namespace {

compose::DatabaseLogin rootLogin(const std::string& password) {
  return {"root", compose::Secret(password), false, "MYSQL_ROOT_PASSWORD"};
}

fs::path scratchRepo() {
  return fs::temp_directory_path() / e2e::uniqueName("agentchat-e2e-repo");
}

}  // namespace

TEST(MysqlDumpLive, StreamsACompleteDumpIntoARepositoryPart) {
  REQUIRE_ENGINE(engine);
  agentchat::MysqlClient client(engine, e2e::stack("MYSQL_CONTAINER"), "mysql",
                                rootLogin(e2e::stack("MYSQL_ROOT_PASSWORD")));
  fs::path root = scratchRepo();
  volumes::LocalRepository repo(root);
  auto staging = repo.begin("e2e", "20261124T020000Z");
  auto part = staging->addPart("mysql.sql.zst");
  volumes::ZstdCompressor zstd([&part](std::string_view c) { part->write(c); }, 3, 2);
  auto result = agentchat::dumpMysql(client, std::vector<std::string>{},
                                     [&zstd](std::string_view c) { zstd.write(c); });
  zstd.finish();
  std::string sha = part->close();
  EXPECT_EQ(result.databases, std::vector<std::string>{"agentchat"});
  EXPECT_TRUE(result.mariadb);
  ASSERT_TRUE(result.binlogFile.has_value()) << "the mysql test image writes a binlog";
  EXPECT_GT(*result.binlogPosition, 0u);
  EXPECT_EQ(zstd.bytesIn(), result.bytes);

  volumes::Manifest manifest;
  manifest.id = "20261124T020000Z";
  manifest.project = "e2e";
  manifest.parts.push_back(
      {"mysql.sql.zst", "mysql-dump", "mysql", "agentchat", part->size(), result.bytes, sha, "", "", 0});
  staging->commit(manifest);
  fs::path stored = repo.backupDir("e2e", "20261124T020000Z") / "mysql.sql.zst";
  EXPECT_EQ(volumes::digestFile(stored).sha256, sha);

  // Readable without the plugin.
  auto plain = e2e::runProcess({"zstd", "-q", "-d", "-c", stored.string()});
  ASSERT_EQ(plain.exitCode, 0) << plain.err;
  EXPECT_EQ(plain.out.size(), result.bytes);
  for (const char* expected :
       {"CREATE TABLE `user`", "CREATE TABLE `usage_stats`", "INSERT INTO `message`", "-- Dump completed"}) {
    EXPECT_NE(plain.out.find(expected), std::string::npos) << expected;
  }
  EXPECT_EQ(plain.out.find(e2e::stack("MYSQL_ROOT_PASSWORD")), std::string::npos);
  fs::remove_all(root);
}

TEST(MysqlDumpLive, WrongPasswordIsAClearErrorAndNoBackup) {
  REQUIRE_ENGINE(engine);
  agentchat::MysqlClient client(engine, e2e::stack("MYSQL_CONTAINER"), "mysql",
                                rootLogin("not-the-password"));
  fs::path root = scratchRepo();
  volumes::LocalRepository repo(root);
  {
    auto staging = repo.begin("e2e", "20261124T020000Z");
    try {
      agentchat::dumpMysql(client, std::vector<std::string>{}, [](std::string_view) {});
      FAIL() << "no error";
    } catch (const std::exception& e) {
      std::string text = e.what();
      EXPECT_NE(text.find("Access denied"), std::string::npos) << text;
      EXPECT_NE(text.find("MYSQL_ROOT_PASSWORD"), std::string::npos) << text;  // where the login came from
      EXPECT_EQ(text.find("not-the-password"), std::string::npos) << text;
    }
  }
  EXPECT_TRUE(repo.list("e2e").empty());
  fs::remove_all(root);
}

TEST(MysqlDumpLive, AFailingDumpFailsLoudly) {
  REQUIRE_ENGINE(engine);
  agentchat::MysqlClient client(engine, e2e::stack("MYSQL_CONTAINER"), "mysql",
                                rootLogin(e2e::stack("MYSQL_ROOT_PASSWORD")));
  try {
    agentchat::dumpMysql(client, std::vector<std::string>{"no_such_database"}, [](std::string_view) {});
    FAIL() << "no error";
  } catch (const agentchat::DumpFailed& e) {
    EXPECT_NE(std::string(e.what()).find("no_such_database"), std::string::npos) << e.what();
  }
}

#include "volumes/host_archive.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;

namespace {

std::string run(const std::string& command) {
  std::string out;
  FILE* pipe = ::popen(command.c_str(), "r");
  char buffer[4096];
  while (pipe && std::fgets(buffer, sizeof buffer, pipe)) out += buffer;
  if (pipe) ::pclose(pipe);
  return out;
}

class HostArchive : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("agentchat-hostar-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "project/mysql/init/sub");
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

}  // namespace

TEST_F(HostArchive, KeepsContentModesOwnersLinksAndTimes) {
  fs::path p = dir_ / "project";
  std::ofstream(p / "mysql/init/01-schema.sql") << "CREATE TABLE t (id INT);\n";
  std::ofstream(p / "mysql/init/sub/secret.txt") << "s";
  std::ofstream(p / ".env") << "MYSQL_ROOT_PASSWORD=x\n";
  fs::create_symlink("01-schema.sql", p / "mysql/init/link.sql");
  ASSERT_EQ(std::system(("chmod 0640 " + (p / "mysql/init/01-schema.sql").string() + " && chmod 0700 " +
                         (p / "mysql/init/sub").string() + " && chown 1234:2345 " +
                         (p / "mysql/init/sub/secret.txt").string() +
                         " && touch -h -d '2001-02-03 04:05:06' " + (p / "mysql/init/01-schema.sql").string())
                            .c_str()),
            0);
  std::string tar;
  auto result =
      volumes::archiveHostPaths({{p / "mysql/init", "project/mysql/init"}, {p / ".env", "project/.env"}},
                                [&tar](std::string_view c) { tar.append(c); });
  EXPECT_EQ(result.entries, 6u);
  EXPECT_EQ(result.bytes, tar.size());
  fs::create_directories(dir_ / "out");
  std::ofstream(dir_ / "a.tar", std::ios::binary) << tar;
  ASSERT_EQ(std::system(("tar -x --numeric-owner -p -C " + (dir_ / "out").string() + " -f " +
                         (dir_ / "a.tar").string())
                            .c_str()),
            0);
  auto listing = [](const fs::path& root) {
    return run(
        "cd " + root.string() +
        " && find . -printf '%p|%y|%m|%U|%G|%l|%s\\n' | sort && find . -type f -printf '%p %Ts\\n' | sort");
  };
  std::string original = listing(p / "mysql/init");
  EXPECT_EQ(listing(dir_ / "out/project/mysql/init"), original);
  EXPECT_NE(original.find("./link.sql|l|777|0|0|01-schema.sql"), std::string::npos) << original;
  EXPECT_NE(original.find("./sub/secret.txt|f|644|1234|2345"), std::string::npos) << original;
  EXPECT_TRUE(fs::exists(dir_ / "out/project/.env"));
}

TEST_F(HostArchive, AMissingPathIsNamed) {
  try {
    volumes::archiveHostPaths({{dir_ / "nope", "x"}}, [](std::string_view) {});
    FAIL();
  } catch (const volumes::ArchiveError& e) {
    EXPECT_NE(std::string(e.what()).find((dir_ / "nope").string()), std::string::npos) << e.what();
  }
}

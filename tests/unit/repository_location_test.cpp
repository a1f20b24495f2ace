// Which repository a command works on, and that an s3:// one is opened as one: from --repo,
// AGENTCHAT_REPO or x-agentchat, its keys under the prefix, its lock and journal on this host.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "plugin/repository/repository_location.hpp"
#include "tests/support/temp_dir.hpp"
#include "volumes/local_repository.hpp"
#include "volumes/part_file.hpp"

namespace {

using agentchat::GlobalOptions;
using agentchat::Session;

dockerapi::Environ s3Environment() {
  return {{"AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"},
          {"AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"},
          {"AWS_ENDPOINT_URL", "http://127.0.0.1:9"},
          {"AGENTCHAT_STATE_DIR", "/var/lib/agentchat-state"}};
}

}  // namespace

TEST(RepositoryLocation, AnS3RepositoryComesFromTheOptionTheEnvironmentOrXAgentchat) {
  compose::Stack stack;
  stack.workingDir = "/srv/agentchat";
  stack.settings.repository = "s3://backups/from-compose";
  EXPECT_EQ(agentchat::repositoryLocation(Session(GlobalOptions{}, {}), stack), "s3://backups/from-compose");
  EXPECT_EQ(agentchat::repositoryLocation(Session(GlobalOptions{}, {{"AGENTCHAT_REPO", "s3://backups/env"}}),
                                          stack),
            "s3://backups/env");
  GlobalOptions flag;
  flag.repository = "s3://backups/flag";
  EXPECT_EQ(agentchat::repositoryLocation(Session(flag, {{"AGENTCHAT_REPO", "s3://backups/env"}}), stack),
            "s3://backups/flag");
  stack.settings.repository = "local/backups";
  EXPECT_EQ(agentchat::repositoryLocation(Session(GlobalOptions{}, {}), stack),
            "/srv/agentchat/local/backups");
}

TEST(RepositoryLocation, AnS3RepositoryKeepsItsKeysUnderThePrefixAndItsLockOnThisHost) {
  auto repository = agentchat::openRepository("s3://backups/site-a/agentchat", s3Environment());
  EXPECT_EQ(repository->location(), "s3://backups/site-a/agentchat");
  EXPECT_EQ(repository->backupLocation("prod", "20261124T020000Z"),
            "s3://backups/site-a/agentchat/prod/20261124T020000Z");
  EXPECT_FALSE(repository->localRoot().has_value());
  EXPECT_EQ(repository->journalPath("prod"),
            "/var/lib/agentchat-state/s3/backups/site-a/agentchat/prod/.journal");
  EXPECT_THROW(repository->backupLocation("prod", "../x"), volumes::RepositoryError);
  EXPECT_THROW(repository->backupLocation("../prod", "20261124T020000Z"), volumes::RepositoryError);

  auto local = agentchat::openRepository("/srv/backups", {});
  EXPECT_EQ(local->localRoot(), std::filesystem::path("/srv/backups"));
  EXPECT_EQ(local->journalPath("prod"), "/srv/backups/prod/.journal");
}

TEST(RepositoryLocation, AnUnusableS3RepositorySaysWhatIsWrong) {
  auto env = s3Environment();
  try {
    agentchat::openRepository("s3://backups/a/../b", env);
    FAIL() << "a prefix with .. was accepted";
  } catch (const volumes::RepositoryError& e) {
    EXPECT_NE(std::string(e.what()).find("'..'"), std::string::npos) << e.what();
  }
  env.erase("AWS_ACCESS_KEY_ID");
  env.erase("AWS_SECRET_ACCESS_KEY");
  env["HOME"] = "/nonexistent";
  try {
    agentchat::openRepository("s3://backups/p", env);
    FAIL() << "no credentials, but it opened";
  } catch (const volumes::RepositoryError& e) {
    EXPECT_NE(std::string(e.what()).find("AWS_ACCESS_KEY_ID"), std::string::npos) << e.what();
  }
  env["AWS_ACCESS_KEY_ID"] = "AKIDEXAMPLE";
  env["AWS_SECRET_ACCESS_KEY"] = "secret";
  env["AGENTCHAT_S3_PART_SIZE_MIB"] = "lots";
  EXPECT_THROW(agentchat::openRepository("s3://backups/p", env), volumes::RepositoryError);
}

// Issue #17: new repositories deduplicate by default; a repository that holds backups already keeps
// what it is, and a backup encrypted to public keys only makes no store it could not use again.
TEST(RepositoryLocation, ANewLocalRepositoryGetsTheStoreByDefaultAnOldOneStaysAsItIs) {
  agentchat_test::TempDir dir;
  namespace fs = std::filesystem;
  volumes::Encryption plain, passphrase, publicKeys;
  passphrase.passphrase = true;
  publicKeys.recipients = {"age1qyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqs3290gq"};

  volumes::LocalRepository fresh(dir.path() / "not-made-yet");
  EXPECT_TRUE(agentchat::storeByDefault(fresh, plain, false));
  EXPECT_TRUE(agentchat::storeByDefault(fresh, passphrase, false));
  EXPECT_FALSE(agentchat::storeByDefault(fresh, publicKeys, false));  // later backups could not use it
  EXPECT_TRUE(agentchat::storeByDefault(fresh, publicKeys, true));    // --identity holds its key
  EXPECT_FALSE(fs::exists(dir.path() / "not-made-yet")) << "asking made the repository";

  // What a killed backup left is not a backup: the repository is still new.
  fs::create_directories(dir.path() / "old" / "chat" / ".partial-20261203T000000Z");
  volumes::LocalRepository old(dir.path() / "old");
  EXPECT_FALSE(old.holdsBackups());
  EXPECT_TRUE(agentchat::storeByDefault(old, plain, false));
  // One complete backup of whole parts (of any project): it stays a repository of whole parts.
  fs::create_directories(dir.path() / "old" / "other" / "20261203T000000Z");
  std::ofstream(dir.path() / "old" / "other" / "20261203T000000Z" / "manifest.json") << "{}";
  EXPECT_TRUE(old.holdsBackups());
  EXPECT_FALSE(agentchat::storeByDefault(old, plain, false));

  // A store already made is not made again (a new bucket gets one too: S3Dedup.* on s3rver).
  volumes::LocalRepository stored(dir.path() / "stored");
  stored.deduplicate();
  EXPECT_FALSE(agentchat::storeByDefault(stored, plain, false));
}

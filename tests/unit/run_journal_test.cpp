// The run journal: written before a container is held, gone once nothing is held, read back as
// written, and an unreadable one refused with what to do.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "volumes/part_file.hpp"
#include "volumes/run_journal.hpp"

namespace fs = std::filesystem;

namespace {

fs::path scratchDir() {
  fs::path dir = fs::temp_directory_path() / ("run-journal-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

}  // namespace

TEST(RunJournal, HoldsWhatIsHeldAndDisappearsWhenNothingIs) {
  fs::path dir = scratchDir();
  fs::path file = dir / ".journal";
  volumes::RunJournal journal(file, {42, "host-a", "restore", "2026-11-25T10:00:00Z", "backup X", {}});
  EXPECT_FALSE(fs::exists(file));  // nothing held yet
  journal.hold({"id1", "app_1", false, {}, 0, 0});
  journal.hold({"id2", "db_1", true, "2026-11-25T09:00:00.5Z", 1764061200, 30});
  auto read = volumes::readJournal(file);
  ASSERT_TRUE(read.has_value());
  EXPECT_EQ(read->pid, 42);
  EXPECT_EQ(read->host, "host-a");
  EXPECT_EQ(read->command, "restore");
  EXPECT_EQ(read->note, "backup X");
  ASSERT_EQ(read->held.size(), 2u);
  EXPECT_EQ(read->held[1].name, "db_1");
  EXPECT_TRUE(read->held[1].stopped);
  EXPECT_EQ(read->held[1].startedAt, "2026-11-25T09:00:00.5Z");
  EXPECT_EQ(read->held[1].heldAt, 1764061200);
  EXPECT_EQ(read->held[1].stopTimeout, 30);
  struct stat st {};
  ASSERT_EQ(::stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);

  journal.release("id2");
  read = volumes::readJournal(file);
  ASSERT_TRUE(read.has_value());
  ASSERT_EQ(read->held.size(), 1u);
  EXPECT_EQ(read->held[0].id, "id1");
  journal.release("id1");
  EXPECT_FALSE(fs::exists(file));
  EXPECT_FALSE(volumes::readJournal(file).has_value());
  fs::remove_all(dir);
}

TEST(RunJournal, AnUnreadableJournalIsRefusedWithWhatToDo) {
  fs::path dir = scratchDir();
  std::ofstream(dir / ".journal") << "{\"pid\": 1, \"held\": [";
  try {
    volumes::readJournal(dir / ".journal");
    FAIL() << "a truncated journal was accepted";
  } catch (const volumes::RepositoryError& e) {
    EXPECT_NE(std::string(e.what()).find("docker ps"), std::string::npos) << e.what();
  }
  fs::remove_all(dir);
}

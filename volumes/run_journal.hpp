#pragma once
// The run journal: what a running backup or restore holds in the engine (containers it paused or
// stopped), written beside the project lock *before* each engine call — at
// Repository::journalPath(): <repository>/<project>/.journal for a local repository, this host's
// state directory (AGENTCHAT_STATE_DIR) for an S3 one, which has no locks. A run killed
// with -9 runs no destructor and no signal handler; this file is how the next run, or `status`,
// learns what to resume. It exists only while something is held.
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace volumes {

struct HeldContainer {
  std::string id;
  std::string name;
  bool stopped = false;  // else paused
  // For a stop: the engine keeps stopping a container after the client that asked died, for up to
  // stopTimeout seconds from heldAt (unix time here). startedAt (the engine's) tells whether the
  // container was started again since, so the next run knows when to wait for that stop to end.
  std::string startedAt;
  long long heldAt = 0;
  int stopTimeout = 0;
};

struct RunRecord {
  long pid = 0;
  std::string host;
  std::string command;  // backup, restore, ...
  std::string started;  // RFC 3339 UTC
  std::string note;     // restore: "backup X; safety snapshot S", for whoever finds the run dead
  std::vector<HeldContainer> held;
};

class RunJournal {
 public:
  RunJournal(std::filesystem::path file, RunRecord run);
  RunJournal(const RunJournal&) = delete;
  RunJournal& operator=(const RunJournal&) = delete;

  // Each call rewrites the file atomically (temp file, fsync, rename) before returning.
  void hold(const HeldContainer& container);
  // The file is removed once nothing is held any more.
  void release(const std::string& id);

 private:
  void save();
  std::filesystem::path file_;
  std::mutex mutex_;
  RunRecord run_;
};

// The journal a run left behind, if any. Throws RepositoryError for an unreadable one.
std::optional<RunRecord> readJournal(const std::filesystem::path& file);
void removeJournal(const std::filesystem::path& file);

}  // namespace volumes

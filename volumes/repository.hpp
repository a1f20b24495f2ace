#pragma once
// The local backup repository: <root>/<project>/<backup-id>/{parts..., manifest.json}.
// A backup is built in <root>/<project>/.partial-<id>/ and renamed into place only when its
// manifest is written, so an interrupted backup never looks complete. Directories 0700, files 0600.
#include <ctime>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "volumes/manifest.hpp"
#include "volumes/part_file.hpp"

namespace volumes {

// Held while a backup or restore of a project runs; released when destroyed (or when the process
// dies: it is a flock, so a killed run leaves no stale lock behind). The lock file names its holder
// ("pid 123 on host h") and is emptied by a run that ends normally, so a name found in it when the
// lock is taken is a run that died.
class ProjectLock {
 public:
  ProjectLock(int fd, std::string previousHolder) : fd_(fd), previousHolder_(std::move(previousHolder)) {}
  ~ProjectLock();
  ProjectLock(const ProjectLock&) = delete;
  ProjectLock& operator=(const ProjectLock&) = delete;

  // Empty unless the last holder died without releasing the lock.
  const std::string& previousHolder() const { return previousHolder_; }

 private:
  int fd_;
  std::string previousHolder_;
};

class Repository {
 public:
  explicit Repository(std::filesystem::path root);
  const std::filesystem::path& root() const { return root_; }

  // A backup under construction. Destroying it without commit() removes everything it wrote.
  class Staging {
   public:
    Staging(std::filesystem::path partial, std::filesystem::path final);
    ~Staging();
    Staging(const Staging&) = delete;
    Staging& operator=(const Staging&) = delete;

    // A new part file in the staging directory; `name` must be a plain file name.
    std::unique_ptr<PartFile> addPart(const std::string& name);
    // Writes manifest.json, fsyncs, and renames the directory to its final name.
    void commit(const Manifest& manifest);
    const std::filesystem::path& directory() const { return partial_; }

   private:
    std::filesystem::path partial_;
    std::filesystem::path final_;
    bool committed_ = false;
  };

  // "20261124T020000Z" for `now`, one second later per existing backup of that name.
  std::string newBackupId(const std::string& project, std::time_t now) const;
  std::unique_ptr<Staging> begin(const std::string& project, const std::string& id);
  // Complete backups (with a manifest), newest first.
  std::vector<std::string> list(const std::string& project) const;
  Manifest read(const std::string& project, const std::string& id) const;
  std::filesystem::path backupDir(const std::string& project, const std::string& id) const;
  // The outcome of the last `verify`, kept beside the manifest (which stays as written).
  void recordVerification(const std::string& project, const std::string& id, const nlohmann::json& result);
  std::optional<nlohmann::json> verification(const std::string& project, const std::string& id) const;
  // Deletes a complete backup: first its manifest (so it stops looking complete), then the rest.
  void remove(const std::string& project, const std::string& id);
  // Removes staging directories of runs that died (call with the project lock held); returns
  // their backup ids.
  std::vector<std::string> removeAbandoned(const std::string& project);
  // Throws RepositoryError naming the holder ("pid 123 on host h") if another run holds it.
  std::unique_ptr<ProjectLock> lock(const std::string& project);
  // Without taking the lock: whether a dead run may have left something (a holder named in the
  // lock file, a journal, a staging directory). `status` takes the lock only then.
  bool mayHoldDeadRun(const std::string& project) const;
  // Where a run records what it holds in the engine (see run_journal.hpp).
  std::filesystem::path journalPath(const std::string& project) const;

 private:
  std::filesystem::path projectDir(const std::string& project) const;
  std::filesystem::path root_;
};

}  // namespace volumes

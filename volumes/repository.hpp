#pragma once
// Where a project's backups are kept: <repository>/<project>/<backup-id>/{parts..., manifest.json}.
// One interface, two kinds (a local directory, an S3 bucket prefix). Whatever the kind, a backup is
// visible only once its manifest is written, last; a run's lock and its journal of held containers
// stay on this host, in a state directory (the repository's own directory when it is local).
#include <ctime>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "volumes/chunks/chunked_part.hpp"
#include "volumes/chunks/repository_chunks.hpp"
#include "volumes/manifest.hpp"
#include "volumes/part_file.hpp"
#include "volumes/stored_bytes.hpp"

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
  virtual ~Repository() = default;
  Repository(const Repository&) = delete;
  Repository& operator=(const Repository&) = delete;

  // A backup under construction. Destroying it without commit() removes everything it wrote.
  class Staging {
   public:
    virtual ~Staging() = default;
    // A new part; `name` must be a plain file name other than manifest.json.
    virtual std::unique_ptr<StoredWriter> addPart(const std::string& name) = 0;
    // The repository's deduplicated store (issue #17), where it has one: parts then go there as
    // chunk lists (a part named `record.storedName()`). Null where parts are whole files, and when
    // the store does not take a backup encrypted as `encryption` (an encrypted store takes only
    // backups encrypted exactly as it is; see RepositoryChunks::refusal).
    struct Chunks {
      chunks::BlobStore& store;
      const chunks::ChunkKeys& keys;
    };
    std::optional<Chunks> chunks(const Encryption& encryption);
    // Writes manifest.json last (after the chunks its parts name), which makes the backup complete.
    virtual void commit(const Manifest& manifest) = 0;
    // Best effort, from the interrupt handler: remove what was written so far.
    virtual void discard() noexcept = 0;

   protected:
    // `writing` holds the store's lock shared until the staging is destroyed.
    explicit Staging(std::unique_ptr<chunks::RepositoryChunks::Writing> writing = nullptr,
                     const chunks::RepositoryChunks* store = nullptr)
        : writing_(std::move(writing)), store_(store) {}
    // Seals the last pack and indexes it: every chunk the parts name is stored before the manifest.
    void finishChunks() {
      if (writing_) writing_->store().finish();
    }

   private:
    std::unique_ptr<chunks::RepositoryChunks::Writing> writing_;
    const chunks::RepositoryChunks* store_;
  };

  // For messages and the audit log: "/srv/backups", "s3://bucket/prefix".
  virtual std::string location() const = 0;
  virtual std::string backupLocation(const std::string& project, const std::string& id) const = 0;
  // The directory, for a local repository: never itself backed up or restored over.
  virtual std::optional<std::filesystem::path> localRoot() const { return std::nullopt; }
  // The deduplicated store (.chunks/ in the directory or under the prefix), null when this
  // repository keeps whole parts.
  chunks::RepositoryChunks* chunkStore() const;
  // Backups from now on keep their parts as chunks (makes the store unless it exists). With `to`, a
  // new store is encrypted: its key sealed to `recipients`, whom `to` names.
  void deduplicate(const Encryption* to = nullptr, const std::vector<AgeRecipient>* recipients = nullptr);
  // Whether any project here has a complete backup (a repository without one and without a store
  // is new: it gets the deduplicated store by default).
  virtual bool holdsBackups() const = 0;
  // Opens an encrypted deduplicated store's repository key with any of `identities` (the keys a
  // command was given), so its chunks can be read and written. False when the repository has such a
  // store and none of them opens it; true otherwise.
  bool unlockChunks(const std::vector<AgeIdentity>& identities) const;
  // Why a backup encrypted as `encryption` keeps whole parts although the repository deduplicates
  // (RepositoryChunks::refusal); empty when it does not deduplicate or takes the backup.
  std::string chunksRefusal(const Encryption& encryption) const;
  // Deletes the packs no backup of any project here names; throws RepositoryError while a backup runs.
  chunks::RepositoryChunks::Collected collectGarbage();
  // The store's check (see RepositoryChunks::check), and per backup of any project the chunks its
  // lists name that are lost or that no index file lists ("chat/ID: mysql.sql.zst (2 chunks)").
  struct Checked {
    chunks::RepositoryChunks::Checked store;
    std::vector<std::string> damagedBackups;
  };
  Checked check(bool repair);

  // "20261124T020000Z" for `now`, one second later per existing backup of that name.
  std::string newBackupId(const std::string& project, std::time_t now) const;
  virtual std::unique_ptr<Staging> begin(const std::string& project, const std::string& id) = 0;
  // Complete backups (with a manifest), newest first.
  virtual std::vector<std::string> list(const std::string& project) const = 0;
  virtual Manifest read(const std::string& project, const std::string& id) const = 0;
  // A part's stored bytes, from the start.
  virtual std::unique_ptr<StoredReader> openPart(const std::string& project, const std::string& id,
                                                 const std::string& name) const = 0;
  // The part as the manifest records it: a whole part's stored bytes, a chunked part's raw bytes
  // (each chunk checked against its name, the chunk list against the record's sha256).
  std::unique_ptr<StoredReader> openPart(const std::string& project, const std::string& id,
                                         const PartRecord& record) const;
  // The part as one zstd file, whatever keeps it: a whole part's stored bytes, a chunked part's
  // blobs back to back (`record.size` bytes; what export and copy hand to where chunks are not kept).
  std::unique_ptr<StoredReader> openCompressed(const std::string& project, const std::string& id,
                                               const PartRecord& record) const;
  // The outcome of the last `verify`, kept beside the manifest (which stays as written).
  virtual void recordVerification(const std::string& project, const std::string& id,
                                  const nlohmann::json& result) = 0;
  virtual std::optional<nlohmann::json> verification(const std::string& project,
                                                     const std::string& id) const = 0;
  // Deletes a complete backup: first its manifest (so it stops looking complete), then the rest.
  virtual void remove(const std::string& project, const std::string& id) = 0;
  // One line of <project>/audit.log, never rewriting what is there. Throws RepositoryError.
  virtual void appendAudit(const std::string& project, const nlohmann::json& entry) = 0;
  // Removes what runs that died left of their backups (call with the project lock held); returns
  // their backup ids.
  virtual std::vector<std::string> removeAbandoned(const std::string& project) = 0;

  // Throws RepositoryError naming the holder ("pid 123 on host h") if another run holds it.
  std::unique_ptr<ProjectLock> lock(const std::string& project);
  // Without taking the lock: whether a dead run may have left something (a holder named in the
  // lock file, a journal, an unfinished backup). `status` takes the lock only then.
  bool mayHoldDeadRun(const std::string& project) const;
  // Where a run records what it holds in the engine (see run_journal.hpp).
  std::filesystem::path journalPath(const std::string& project) const;

 protected:
  explicit Repository(std::filesystem::path stateRoot) : stateRoot_(std::move(stateRoot)) {}
  // Whether `id` names a backup there already, complete or under construction.
  virtual bool idTaken(const std::string& project, const std::string& id) const = 0;
  // This host's directory for the project's lock, journal and markers of unfinished backups.
  std::filesystem::path stateDir(const std::string& project) const;
  // Where the deduplicated store's files are (whether it exists or not).
  virtual std::unique_ptr<chunks::ChunkSpace> chunkSpace() const = 0;
  // Calls `list` with every chunk list of every backup (complete or not) of every project:
  // "project/id", the part's stored name ("mysql.sql.zst.chunks") and its bytes.
  using ChunkListVisitor =
      std::function<void(const std::string& backup, const std::string& part, StoredReader&)>;
  virtual void forEachChunkList(const ChunkListVisitor& list) const = 0;
  // Begins a backup's staging with the store's lock held shared, when there is a store.
  std::unique_ptr<chunks::RepositoryChunks::Writing> beginChunks() const;

 private:
  std::filesystem::path stateRoot_;
  mutable std::unique_ptr<chunks::RepositoryChunks> chunks_;
  mutable bool chunksLooked_ = false;
  mutable std::mutex chunksMutex_;  // parts may be opened on several threads
};

// One backup of a repository, as the code that reads its parts holds it.
struct BackupRef {
  const Repository* repository = nullptr;
  std::string project, id;
  std::unique_ptr<StoredReader> open(const PartRecord& part) const {
    return repository->openPart(project, id, part);
  }
};

bool isBackupId(const std::string& id);
// Throws RepositoryError unless `id` looks like 20261124T020000Z.
void requireBackupId(const std::string& id);
// A directory (and its parents) made 0700 whatever the umask. Throws RepositoryError.
void makePrivateDir(const std::filesystem::path& dir);
void syncDir(const std::filesystem::path& dir);

}  // namespace volumes

#pragma once
// A repository in a local directory: <root>/<project>/<backup-id>/. A backup is built in
// <root>/<project>/.partial-<id>/ and renamed into place once its manifest is written, so an
// interrupted backup never looks complete. Directories 0700, files 0600.
#include <mutex>

#include "volumes/chunks/repository_chunks.hpp"
#include "volumes/repository.hpp"

namespace volumes {

class LocalRepository : public Repository {
 public:
  explicit LocalRepository(std::filesystem::path root);
  const std::filesystem::path& root() const { return root_; }
  std::filesystem::path backupDir(const std::string& project, const std::string& id) const;

  class Staging : public Repository::Staging {
   public:
    Staging(std::filesystem::path partial, std::filesystem::path final,
            std::unique_ptr<chunks::RepositoryChunks::Writing> chunks = nullptr,
            const chunks::RepositoryChunks* store = nullptr);
    ~Staging() override;
    std::unique_ptr<StoredWriter> addPart(const std::string& name) override;
    std::optional<Chunks> chunks(const Encryption& encryption) override;
    void commit(const Manifest& manifest) override;
    void discard() noexcept override;
    const std::filesystem::path& directory() const { return partial_; }

   private:
    std::filesystem::path partial_;
    std::filesystem::path final_;
    bool committed_ = false;
    std::unique_ptr<chunks::RepositoryChunks::Writing> chunks_;  // holds the store's lock shared
    const chunks::RepositoryChunks* store_;
  };

  std::string location() const override { return root_.string(); }
  std::string backupLocation(const std::string& project, const std::string& id) const override {
    return backupDir(project, id).string();
  }
  std::optional<std::filesystem::path> localRoot() const override { return root_; }
  std::unique_ptr<Repository::Staging> begin(const std::string& project, const std::string& id) override;
  std::vector<std::string> list(const std::string& project) const override;
  Manifest read(const std::string& project, const std::string& id) const override;
  std::unique_ptr<StoredReader> openPart(const std::string& project, const std::string& id,
                                         const std::string& name) const override;
  std::unique_ptr<StoredReader> openPart(const std::string& project, const std::string& id,
                                         const PartRecord& record) const override;

  std::unique_ptr<StoredReader> openCompressed(const std::string& project, const std::string& id,
                                               const PartRecord& record) const override;

  // The deduplicated store (REPO/.chunks), null when this repository keeps whole parts.
  chunks::RepositoryChunks* chunkStore() const;
  // Whether any project here has a complete backup (a repository without one and without a store
  // is new: it gets the deduplicated store by default).
  bool holdsBackups() const;
  bool unlockChunks(const std::vector<AgeIdentity>& identities) const override;
  std::string chunksRefusal(const Encryption& encryption) const override;
  // Backups from now on keep their parts as chunks (makes REPO/.chunks unless it exists). With
  // `to`, a new store is encrypted: its key sealed to `recipients`, whom `to` names.
  void deduplicate(const Encryption* to = nullptr, const std::vector<AgeRecipient>* recipients = nullptr);
  // Deletes the packs no backup of any project here names; throws RepositoryError while a backup runs.
  chunks::RepositoryChunks::Collected collectGarbage();
  // The store's check (see RepositoryChunks::check), and per backup of any project the chunks its
  // lists name that are lost or that no index file lists ("chat/ID: mysql.sql.zst (2 chunks)").
  struct Checked {
    chunks::RepositoryChunks::Checked store;
    std::vector<std::string> damagedBackups;
  };
  Checked check(bool repair);
  void recordVerification(const std::string& project, const std::string& id,
                          const nlohmann::json& result) override;
  std::optional<nlohmann::json> verification(const std::string& project,
                                             const std::string& id) const override;
  void remove(const std::string& project, const std::string& id) override;
  void appendAudit(const std::string& project, const nlohmann::json& entry) override;
  std::vector<std::string> removeAbandoned(const std::string& project) override;

 private:
  bool idTaken(const std::string& project, const std::string& id) const override;
  std::filesystem::path projectDir(const std::string& project) const { return stateDir(project); }
  std::filesystem::path root_;
  mutable std::unique_ptr<chunks::RepositoryChunks> chunks_;
  mutable bool chunksLooked_ = false;
  mutable std::mutex chunksMutex_;  // parts may be opened on several threads
};

}  // namespace volumes

#pragma once
// A repository in a local directory: <root>/<project>/<backup-id>/. A backup is built in
// <root>/<project>/.partial-<id>/ and renamed into place once its manifest is written, so an
// interrupted backup never looks complete. Directories 0700, files 0600.
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
    void commit(const Manifest& manifest) override;
    void discard() noexcept override;
    const std::filesystem::path& directory() const { return partial_; }

   private:
    std::filesystem::path partial_;
    std::filesystem::path final_;
    bool committed_ = false;
  };

  std::string location() const override { return root_.string(); }
  std::string backupLocation(const std::string& project, const std::string& id) const override {
    return backupDir(project, id).string();
  }
  std::optional<std::filesystem::path> localRoot() const override { return root_; }
  std::unique_ptr<Repository::Staging> begin(const std::string& project, const std::string& id) override;
  std::vector<std::string> list(const std::string& project) const override;
  Manifest read(const std::string& project, const std::string& id) const override;
  using Repository::openPart;
  std::unique_ptr<StoredReader> openPart(const std::string& project, const std::string& id,
                                         const std::string& name) const override;
  bool holdsBackups() const override;
  void recordVerification(const std::string& project, const std::string& id,
                          const nlohmann::json& result) override;
  std::optional<nlohmann::json> verification(const std::string& project,
                                             const std::string& id) const override;
  void remove(const std::string& project, const std::string& id) override;
  void appendAudit(const std::string& project, const nlohmann::json& entry) override;
  std::vector<std::string> removeAbandoned(const std::string& project) override;

 private:
  bool idTaken(const std::string& project, const std::string& id) const override;
  std::unique_ptr<chunks::ChunkSpace> chunkSpace() const override;
  void forEachChunkList(const ChunkListVisitor& list) const override;
  std::filesystem::path projectDir(const std::string& project) const { return stateDir(project); }
  std::filesystem::path root_;
};

}  // namespace volumes

#pragma once
// A repository in an S3-compatible bucket (AWS S3, Aliyun OSS, MinIO, Ceph RGW):
// s3://bucket/prefix/<project>/<backup-id>/{parts..., manifest.json}. Parts stream up as multipart
// uploads and the manifest is put last, so a backup without one was never finished. Object stores
// have no locks: the project lock, the journal and the markers of unfinished backups stay on this
// host (AGENTCHAT_STATE_DIR, else $XDG_STATE_HOME/docker-agentchat, else ~/.local/state/...), which
// makes one host the writer of a prefix. The audit log is one object per line under <project>/audit/.
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "volumes/repository.hpp"
#include "volumes/s3/client.hpp"

namespace volumes {

class S3Repository : public Repository {
 public:
  S3Repository(const s3::Location& where, s3::Config config, const std::filesystem::path& stateRoot);

  std::string location() const override { return url_; }
  std::string backupLocation(const std::string& project, const std::string& id) const override;
  std::unique_ptr<Staging> begin(const std::string& project, const std::string& id) override;
  std::vector<std::string> list(const std::string& project) const override;
  Manifest read(const std::string& project, const std::string& id) const override;
  using Repository::openPart;
  std::unique_ptr<StoredReader> openPart(const std::string& project, const std::string& id,
                                         const std::string& name) const override;
  void recordVerification(const std::string& project, const std::string& id,
                          const nlohmann::json& result) override;
  std::optional<nlohmann::json> verification(const std::string& project,
                                             const std::string& id) const override;
  void remove(const std::string& project, const std::string& id) override;
  void appendAudit(const std::string& project, const nlohmann::json& entry) override;
  std::vector<std::string> removeAbandoned(const std::string& project) override;
  bool holdsBackups() const override;

  // "prefix/project/id/" (or "project/id/" without a prefix): every object of one backup.
  std::string backupKey(const std::string& project, const std::string& id) const;
  s3::Client& client() const { return *client_; }

 private:
  bool idTaken(const std::string& project, const std::string& id) const override;
  std::unique_ptr<chunks::ChunkSpace> chunkSpace() const override;
  void forEachChunkList(const ChunkListVisitor& list) const override;
  // Every object below the prefix but the store's, with its key below the prefix.
  void forEachObject(
      const std::function<void(const std::string& rest, const s3::ObjectInfo& object)>& visit) const;
  std::string projectKey(const std::string& project) const;
  void removeObjects(const std::string& prefix) const;
  std::filesystem::path state_;
  std::string url_, prefix_;
  std::unique_ptr<s3::Client> client_;  // thread-safe; const calls read the bucket too
};

// Where this host keeps the local state of its S3 repositories: AGENTCHAT_STATE_DIR, else
// $XDG_STATE_HOME/docker-agentchat, else ~/.local/state/docker-agentchat. Throws RepositoryError.
std::filesystem::path s3StateRoot(const std::map<std::string, std::string>& environ);

// `location` is "s3://bucket/prefix"; endpoint, region, addressing and credentials come from
// `environ` as the AWS tools read them (plus AGENTCHAT_S3_PART_SIZE_MIB). Throws RepositoryError
// saying what is missing.
std::unique_ptr<Repository> openS3Repository(const std::string& location,
                                             const std::map<std::string, std::string>& environ);

}  // namespace volumes

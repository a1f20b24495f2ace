#include "volumes/s3_repository.hpp"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <fstream>
#include <functional>
#include <mutex>
#include <set>
#include <thread>

#include "base/process_owner.hpp"
#include "base/sha256.hpp"
#include "volumes/s3_call.hpp"
#include "volumes/s3_chunk_space.hpp"
#include "volumes/stream_pipe.hpp"

namespace volumes {

namespace fs = std::filesystem;

namespace {

// One part going up: counted and hashed here, uploaded part by part as it grows.
class S3PartWriter : public StoredWriter {
 public:
  S3PartWriter(std::unique_ptr<s3::Client::Upload> upload, std::string where, std::function<void()> onClosed)
      : upload_(std::move(upload)), where_(std::move(where)), onClosed_(std::move(onClosed)) {}
  void write(std::string_view bytes) override {
    hash_.update(bytes);
    size_ += bytes.size();
    s3Call("cannot upload " + where_, [&] { upload_->write(bytes); });
  }
  std::string close() override {
    s3Call("cannot complete the upload of " + where_, [&] { upload_->complete(); });
    onClosed_();
    return hash_.hexDigest();
  }
  std::uint64_t size() const override { return size_; }

 private:
  std::unique_ptr<s3::Client::Upload> upload_;
  std::string where_;
  std::function<void()> onClosed_;
  base::Sha256 hash_;
  std::uint64_t size_ = 0;
};

// One object coming down: a thread pushes the GET into a bounded pipe, read() pulls from it.
// Destroyed early (a reader that needs only the head), it abandons the pipe, which stops the GET.
class S3PartReader : public StoredReader {
 public:
  S3PartReader(s3::Client& client, std::string key, std::string where)
      : where_(std::move(where)), pipe_(4 << 20) {
    thread_ = std::thread([this, &client, key = std::move(key)] {
      try {
        client.getObject(key, pipe_.sink());
        pipe_.close();
      } catch (const StreamPipe::PipeClosed&) {
      } catch (...) {
        pipe_.fail(std::current_exception());
      }
    });
  }
  ~S3PartReader() override {
    pipe_.abandon();
    thread_.join();
  }
  S3PartReader(const S3PartReader&) = delete;
  S3PartReader& operator=(const S3PartReader&) = delete;

  std::size_t read(char* buffer, std::size_t capacity) override {
    return s3Call("cannot read part " + where_, [&] { return pipe_.read(buffer, capacity); });
  }
  const std::string& where() const override { return where_; }

 private:
  std::string where_;
  StreamPipe pipe_;
  std::thread thread_;
};

// Pending uploads first (a dead run's part may still be one), then every object under `prefix`.
void removeUnder(s3::Client& client, const std::string& prefix) {
  for (const auto& pending : client.listMultipartUploads(prefix))
    client.abortMultipartUpload(pending.key, pending.uploadId);
  for (const auto& object : client.listObjects(prefix)) client.deleteObject(object.key);
}

// Until commit, a local marker names the backup being built, so a run that dies leaves a trace
// on this host that the next run (holding the lock) follows to the objects to remove.
class S3Staging : public Repository::Staging {
 public:
  S3Staging(const S3Repository& repository, std::string key, std::string where, fs::path marker,
            std::unique_ptr<chunks::RepositoryChunks::Writing> chunks)
      : Repository::Staging(std::move(chunks), repository.chunkStore()),
        repository_(repository),
        key_(std::move(key)),
        where_(std::move(where)),
        marker_(std::move(marker)) {
    PartFile file(marker_);
    file.write(key_ + "\n");
    file.close();
  }
  ~S3Staging() override {
    if (committed_) return;
    if (discarded()) {
      std::error_code ec;
      fs::remove(marker_, ec);
    }
  }
  std::unique_ptr<StoredWriter> addPart(const std::string& name) override {
    if (!isPlainFileName(name) || name == "manifest.json" || name == "verified.json")
      throw RepositoryError("invalid part name '" + name + "'");
    // A part abandoned before close() (its upload aborted) may be written again: a retried copy.
    {
      std::lock_guard lock(mutex_);
      if (names_.count(name) != 0) throw RepositoryError("part " + name + " is written twice");
    }
    auto upload = s3Call("cannot start the upload of " + where_ + "/" + name,
                         [&] { return repository_.client().startUpload(key_ + name); });
    return std::make_unique<S3PartWriter>(std::move(upload), where_ + "/" + name, [this, name] {
      std::lock_guard lock(mutex_);
      names_.insert(name);
    });
  }
  void commit(const Manifest& manifest) override {
    // Every chunk the parts name is in a pack and an index file before the manifest names them.
    finishChunks();
    s3Call("cannot complete the backup (manifest " + where_ + "/manifest.json)",
           [&] { repository_.client().putObject(key_ + "manifest.json", toJson(manifest).dump(2) + "\n"); });
    committed_ = true;
    std::error_code ec;
    fs::remove(marker_, ec);
  }
  // From the interrupt handler the marker stays: other threads may still finish a part after this,
  // and the next run with the lock removes whatever is left.
  void discard() noexcept override { discarded(); }

 private:
  bool discarded() noexcept {
    try {
      removeUnder(repository_.client(), key_);
      return true;
    } catch (...) {
      return false;  // the marker stays for the next run
    }
  }
  const S3Repository& repository_;
  std::string key_, where_;
  fs::path marker_;
  std::mutex mutex_;
  std::set<std::string> names_;
  bool committed_ = false;
};

std::string joinKey(const std::string& prefix, const std::string& rest) {
  return prefix.empty() ? rest : prefix + "/" + rest;
}

std::string envOr(const std::map<std::string, std::string>& env, const std::string& name) {
  auto it = env.find(name);
  return it == env.end() ? std::string() : it->second;
}

}  // namespace

S3Repository::S3Repository(const s3::Location& where, s3::Config config, const fs::path& stateRoot)
    : Repository(stateRoot),
      state_(stateRoot),
      url_("s3://" + where.bucket + (where.prefix.empty() ? "" : "/" + where.prefix)),
      prefix_(where.prefix) {
  config.bucket = where.bucket;
  client_ = s3Call("cannot use " + url_, [&] { return std::make_unique<s3::Client>(std::move(config)); });
}

std::string S3Repository::projectKey(const std::string& project) const {
  if (!isPlainFileName(project)) throw RepositoryError("invalid project name for a repository: " + project);
  return joinKey(prefix_, project) + "/";
}

std::string S3Repository::backupKey(const std::string& project, const std::string& id) const {
  requireBackupId(id);
  return projectKey(project) + id + "/";
}

std::string S3Repository::backupLocation(const std::string& project, const std::string& id) const {
  backupKey(project, id);  // refuses what is no project name or backup id
  return url_ + "/" + project + "/" + id;
}

bool S3Repository::idTaken(const std::string& project, const std::string& id) const {
  std::error_code ec;
  if (fs::exists(stateDir(project) / (".partial-" + id), ec)) return true;
  // Any object under the id: a complete backup, or what another host is writing.
  return s3Call("cannot list " + backupLocation(project, id),
                [&] { return !client_->listObjects(backupKey(project, id), 1).empty(); });
}

std::unique_ptr<Repository::Staging> S3Repository::begin(const std::string& project, const std::string& id) {
  std::string key = backupKey(project, id);
  makePrivateDir(stateDir(project));
  return std::make_unique<S3Staging>(*this, key, backupLocation(project, id),
                                     stateDir(project) / (".partial-" + id), beginChunks());
}

std::unique_ptr<chunks::ChunkSpace> S3Repository::chunkSpace() const {
  // The same bucket name at another endpoint is another store: its own cache and lock.
  std::string endpoint = base::sha256Hex(client_->config().endpoint).substr(0, 12);
  return s3ChunkSpace(*client_, joinKey(prefix_, ".chunks") + "/", url_ + "/.chunks",
                      state_ / ".chunks" / endpoint);
}

namespace {
struct StopListing {};
}  // namespace

// Keys below the prefix are PROJECT/ID/PART, PROJECT/audit/LINE and .chunks/…
void S3Repository::forEachObject(
    const std::function<void(const std::string& rest, const s3::ObjectInfo& object)>& visit) const {
  std::string root = prefix_.empty() ? "" : prefix_ + "/";
  try {
    s3Call("cannot list " + url_, [&] {
      client_->listObjects(root, [&](std::vector<s3::ObjectInfo>& page) {
        for (const auto& object : page) {
          std::string rest = object.key.substr(root.size());
          if (rest.rfind(".chunks/", 0) != 0) visit(rest, object);
        }
      });
    });
  } catch (const StopListing&) {
  }
}

bool S3Repository::holdsBackups() const {
  bool found = false;
  forEachObject([&](const std::string& rest, const s3::ObjectInfo&) {
    auto first = rest.find('/'), second = rest.find('/', first + 1);
    if (first == std::string::npos || second == std::string::npos ||
        rest.substr(second + 1) != "manifest.json" || !isBackupId(rest.substr(first + 1, second - first - 1)))
      return;
    found = true;
    throw StopListing{};
  });
  return found;
}

void S3Repository::forEachChunkList(const ChunkListVisitor& visit) const {
  // The keys first: reading each list inside the listing would keep a second connection open per list.
  std::vector<std::string> lists;
  forEachObject([&](const std::string& rest, const s3::ObjectInfo&) {
    if (rest.size() > 7 && rest.compare(rest.size() - 7, 7, ".chunks") == 0 &&
        std::count(rest.begin(), rest.end(), '/') == 2)
      lists.push_back(rest);
  });
  for (const auto& rest : lists) {
    auto last = rest.rfind('/');
    std::string key = prefix_.empty() ? rest : prefix_ + "/" + rest;
    S3PartReader list(*client_, key, url_ + "/" + rest);
    visit(rest.substr(0, last), rest.substr(last + 1), list);
  }
}

std::vector<std::string> S3Repository::list(const std::string& project) const {
  std::string prefix = projectKey(project);
  std::vector<std::string> ids;
  for (const auto& object :
       s3Call("cannot list " + url_ + "/" + project, [&] { return client_->listObjects(prefix); })) {
    std::string rest = object.key.substr(prefix.size());
    auto slash = rest.find('/');
    if (slash != std::string::npos && rest.substr(slash) == "/manifest.json" &&
        isBackupId(rest.substr(0, slash)))
      ids.push_back(rest.substr(0, slash));
  }
  std::sort(ids.rbegin(), ids.rend());
  return ids;
}

Manifest S3Repository::read(const std::string& project, const std::string& id) const {
  std::string where = backupLocation(project, id) + "/manifest.json";
  auto text = s3Call("cannot read " + where, [&] {
    return client_->getSmallObject(backupKey(project, id) + "manifest.json", kManifestSizeLimit);
  });
  if (!text)
    throw RepositoryError("no complete backup " + id + " of project " + project + " (no " + where + ")");
  try {
    return parseManifest(*text);
  } catch (const ManifestError& e) {
    throw RepositoryError(where + ": " + e.what());
  }
}

std::unique_ptr<StoredReader> S3Repository::openPart(const std::string& project, const std::string& id,
                                                     const std::string& name) const {
  if (!isPlainFileName(name)) throw RepositoryError("invalid part name '" + name + "'");
  return std::make_unique<S3PartReader>(*client_, backupKey(project, id) + name,
                                        backupLocation(project, id) + "/" + name);
}

void S3Repository::recordVerification(const std::string& project, const std::string& id,
                                      const nlohmann::json& result) {
  s3Call("cannot record the verification in " + backupLocation(project, id),
         [&] { client_->putObject(backupKey(project, id) + "verified.json", result.dump(2) + "\n"); });
}

std::optional<nlohmann::json> S3Repository::verification(const std::string& project,
                                                         const std::string& id) const {
  auto text = s3Call("cannot read " + backupLocation(project, id) + "/verified.json", [&] {
    return client_->getSmallObject(backupKey(project, id) + "verified.json", 1 << 20);
  });
  if (!text) return std::nullopt;
  auto parsed = nlohmann::json::parse(*text, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object()) return std::nullopt;
  return parsed;
}

void S3Repository::removeObjects(const std::string& prefix) const {
  s3Call("cannot delete " + url_ + "/" + prefix, [&] { removeUnder(*client_, prefix); });
}

void S3Repository::remove(const std::string& project, const std::string& id) {
  std::string key = backupKey(project, id);
  s3Call("cannot delete backup " + id + " (" + backupLocation(project, id) + ")",
         [&] { client_->deleteObject(key + "manifest.json"); });
  removeObjects(key);
}

void S3Repository::appendAudit(const std::string& project, const nlohmann::json& entry) {
  // An object store cannot append: each line is its own object, named so that listing sorts by time.
  static std::atomic<int> sequence{0};
  std::string time = entry.value("time", "");
  time.erase(std::remove(time.begin(), time.end(), ':'), time.end());
  std::string name = time + "-" + base::hostName() + "-" + std::to_string(::getpid()) + "-" +
                     std::to_string(sequence++) + ".json";
  s3Call("cannot write the audit log in " + url_ + "/" + project + "/audit/",
         [&] { client_->putObject(projectKey(project) + "audit/" + name, entry.dump() + "\n"); });
}

std::vector<std::string> S3Repository::removeAbandoned(const std::string& project) {
  std::vector<std::string> removed;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(stateDir(project), ec)) {
    std::string name = entry.path().filename().string();
    if (name.rfind(".partial-", 0) != 0 || !isBackupId(name.substr(9))) continue;
    std::string id = name.substr(9);
    // Died after its manifest went up: the backup is complete, only the marker is left.
    bool complete = s3Call("cannot read " + backupLocation(project, id), [&] {
      return client_->headObject(backupKey(project, id) + "manifest.json").has_value();
    });
    if (!complete) {
      removeObjects(backupKey(project, id));
      removed.push_back(id);
    }
    fs::remove(entry.path(), ec);
  }
  return removed;
}

fs::path s3StateRoot(const std::map<std::string, std::string>& environ) {
  if (std::string dir = envOr(environ, "AGENTCHAT_STATE_DIR"); !dir.empty()) return fs::absolute(dir);
  if (std::string xdg = envOr(environ, "XDG_STATE_HOME"); !xdg.empty())
    return fs::path(xdg) / "docker-agentchat";
  if (std::string home = envOr(environ, "HOME"); !home.empty())
    return fs::path(home) / ".local/state/docker-agentchat";
  throw RepositoryError(
      "no place for the local state of an S3 repository: set AGENTCHAT_STATE_DIR (or HOME)");
}

std::unique_ptr<Repository> openS3Repository(const std::string& location,
                                             const std::map<std::string, std::string>& environ) {
  try {
    auto where = s3::parseLocation(location);
    for (std::size_t at = 0; at <= where.prefix.size();) {
      auto next = where.prefix.find('/', at);
      std::string part = where.prefix.substr(at, next == std::string::npos ? std::string::npos : next - at);
      if (part == "." || part == "..")
        throw RepositoryError("invalid S3 repository " + location +
                              ": '.' and '..' are not allowed in the prefix");
      if (next == std::string::npos) break;
      at = next + 1;
    }
    auto config = s3::configFromEnvironment(environ);
    config.partSize = 8 << 20;  // per part being written at once: a backup writes a few in parallel
    if (std::string mib = envOr(environ, "AGENTCHAT_S3_PART_SIZE_MIB"); !mib.empty()) {
      try {
        config.partSize = static_cast<std::size_t>(std::stoul(mib)) << 20;
      } catch (const std::exception&) {
        throw RepositoryError("AGENTCHAT_S3_PART_SIZE_MIB must be a number of MiB, not '" + mib + "'");
      }
    }
    fs::path state = s3StateRoot(environ) / "s3" / where.bucket;
    if (!where.prefix.empty()) state /= where.prefix;
    return std::make_unique<S3Repository>(where, std::move(config), state);
  } catch (const s3::S3Error& e) {
    throw RepositoryError(e.what());
  }
}

}  // namespace volumes

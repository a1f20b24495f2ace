#include "volumes/s3_chunk_space.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <random>

#include "base/sha256.hpp"
#include "volumes/repository.hpp"
#include "volumes/s3_call.hpp"

namespace volumes {

namespace fs = std::filesystem;

namespace {

// Index files hold a line per chunk of one pack (16 384 at most): far below this.
constexpr std::size_t kLargestSmallObject = 64 << 20;

class S3Pack : public chunks::PackFile {
 public:
  S3Pack(s3::Client& client, std::string keyPrefix, std::string url, const fs::path& spool)
      : client_(client), keyPrefix_(std::move(keyPrefix)), url_(std::move(url)) {
    makePrivateDir(spool);
    std::random_device random;
    file_ = std::make_unique<PartFile>(spool /
                                       ("partial-" + std::to_string(random()) + std::to_string(random())));
  }
  ~S3Pack() override {
    std::error_code ec;
    if (sealed_) fs::remove(file_->path(), ec);  // an unsealed PartFile removes itself
  }
  void write(std::string_view bytes) override {
    try {
      file_->write(bytes);
    } catch (const RepositoryError& e) {
      if (!e.full()) throw;
      // Not the bucket: this host's spool, where a pack is filled before it goes up.
      throw RepositoryError(
          "the spool for packs going to " + url_ + " is full (" + file_->path().parent_path().string() +
          "): free space there, or set AGENTCHAT_STATE_DIR to a filesystem with 32 MiB free");
    }
  }
  std::uint64_t size() const override { return file_->size(); }
  std::string seal() override {
    std::string name = file_->close();
    sealed_ = true;
    std::string path = chunks::packPath(name), where = url_ + "/" + path;
    std::ifstream in(file_->path(), std::ios::binary);
    if (!in.is_open())
      throw RepositoryError("cannot open the spooled pack " + file_->path().string() + ": " +
                            std::strerror(errno));
    // What goes up is hashed on the way: a spool file that changed or ended early never becomes a
    // pack whose name promises other bytes.
    base::Sha256 sent;
    std::uint64_t bytes = 0;
    s3Call("cannot upload the pack " + where, [&] {
      auto upload = client_.startUpload(keyPrefix_ + path);
      std::string buffer(256 << 10, '\0');
      while (in.read(buffer.data(), static_cast<std::streamsize>(buffer.size())) || in.gcount() > 0) {
        std::string_view piece(buffer.data(), static_cast<std::size_t>(in.gcount()));
        sent.update(piece);
        bytes += piece.size();
        upload->write(piece);
      }
      if (in.bad() || bytes != file_->size() || sent.hexDigest() != name)
        throw RepositoryError("the spooled pack " + file_->path().string() +
                              " changed before it was uploaded: nothing of it is kept");
      upload->complete();
    });
    return name;
  }

 private:
  s3::Client& client_;
  std::string keyPrefix_, url_;
  std::unique_ptr<PartFile> file_;
  bool sealed_ = false;
};

class S3Space : public chunks::ChunkSpace {
 public:
  S3Space(s3::Client& client, std::string keyPrefix, std::string url, fs::path localDir)
      : client_(client),
        keyPrefix_(std::move(keyPrefix)),
        url_(std::move(url)),
        localDir_(std::move(localDir)) {}

  std::string where(const std::string& path) const override {
    return path.empty() ? url_ : url_ + "/" + path;
  }
  std::optional<std::string> read(const std::string& path) const override {
    return s3Call("cannot read " + where(path),
                  [&] { return client_.getSmallObject(keyPrefix_ + path, kLargestSmallObject); });
  }
  void write(const std::string& path, std::string_view bytes) override {
    s3Call("cannot write " + where(path), [&] { client_.putObject(keyPrefix_ + path, bytes); });
  }
  void readRange(const std::string& path, std::uint64_t offset, std::uint64_t length,
                 std::string& out) const override {
    out.clear();
    if (length == 0) return;
    s3Call("cannot read " + std::to_string(length) + " bytes at " + std::to_string(offset) + " of " +
               where(path),
           [&] {
             client_.getObject(
                 keyPrefix_ + path, [&](std::string_view bytes) { out.append(bytes); }, offset, length);
           });
  }
  std::vector<chunks::SpaceFile> list(const std::string& dir) const override {
    std::vector<chunks::SpaceFile> files;
    s3Call("cannot list " + where(dir), [&] {
      client_.listObjects(keyPrefix_ + dir + "/", [&](std::vector<s3::ObjectInfo>& page) {
        for (auto& object : page) files.push_back({object.key.substr(keyPrefix_.size()), object.size});
      });
    });
    return files;
  }
  void remove(const std::string& path) override {
    s3Call("cannot delete " + where(path), [&] { client_.deleteObject(keyPrefix_ + path); });
  }
  std::unique_ptr<chunks::PackFile> newPack() override {
    return std::make_unique<S3Pack>(client_, keyPrefix_, url_, localDir_ / "spool");
  }
  const fs::path& localDir() const override { return localDir_; }
  std::uint64_t removeUnfinished() override {
    std::uint64_t removed = 0;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(localDir_ / "spool", ec))
      removed += fs::remove(entry.path(), ec);
    s3Call("cannot abort the unfinished uploads under " + url_, [&] {
      for (const auto& pending : client_.listMultipartUploads(keyPrefix_)) {
        client_.abortMultipartUpload(pending.key, pending.uploadId);
        ++removed;
      }
    });
    return removed;
  }

 private:
  s3::Client& client_;
  std::string keyPrefix_, url_;
  fs::path localDir_;
};

}  // namespace

std::unique_ptr<chunks::ChunkSpace> s3ChunkSpace(s3::Client& client, std::string keyPrefix, std::string url,
                                                 fs::path localDir) {
  return std::make_unique<S3Space>(client, std::move(keyPrefix), std::move(url), std::move(localDir));
}

}  // namespace volumes

// The store in a directory: small files through a partial- file, fsynced and renamed; packs filled
// in packs/partial-RANDOM (a killed backup's is what the next garbage collection removes).
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <random>

#include "volumes/chunks/chunk_space.hpp"
#include "volumes/part_file.hpp"
#include "volumes/repository.hpp"

namespace volumes::chunks {

namespace fs = std::filesystem;

namespace {

class LocalPack : public PackFile {
 public:
  explicit LocalPack(fs::path packs) : packs_(std::move(packs)) {
    makePrivateDir(packs_);
    std::random_device random;
    file_ = std::make_unique<PartFile>(packs_ /
                                       ("partial-" + std::to_string(random()) + std::to_string(random())));
  }
  void write(std::string_view bytes) override { file_->write(bytes); }
  std::uint64_t size() const override { return file_->size(); }
  std::string seal() override {
    std::string name = file_->close();
    fs::path sub = packs_ / name.substr(0, 2), final = sub / name;
    std::error_code ec;
    bool newSub = !fs::exists(sub, ec);
    makePrivateDir(sub);
    if (newSub) syncDir(packs_);  // the new XX directory itself survives a power cut
    fs::rename(file_->path(), final, ec);
    if (ec) {
      fs::remove(file_->path(), ec);
      throw RepositoryError("cannot move a pack to " + final.string() + ": " + ec.message());
    }
    syncDir(sub);
    return name;
  }

 private:
  fs::path packs_;
  std::unique_ptr<PartFile> file_;
};

class LocalSpace : public ChunkSpace {
 public:
  explicit LocalSpace(fs::path dir) : dir_(std::move(dir)) {}

  std::string where(const std::string& path) const override {
    return path.empty() ? dir_.string() : (dir_ / path).string();
  }
  std::optional<std::string> read(const std::string& path) const override {
    std::ifstream in(dir_ / path, std::ios::binary);
    if (!in.is_open()) {
      if (errno == ENOENT) return std::nullopt;
      throw RepositoryError("cannot open " + where(path) + ": " + std::strerror(errno));
    }
    std::string text(std::istreambuf_iterator<char>(in), {});
    if (in.bad()) throw RepositoryError("cannot read " + where(path));
    return text;
  }
  void write(const std::string& path, std::string_view bytes) override {
    fs::path final = dir_ / path, temp = final.parent_path() / ("partial-" + final.filename().string());
    makePrivateDir(final.parent_path());
    std::error_code ec;
    fs::remove(temp, ec);
    {
      PartFile file(temp);
      file.write(bytes);
      file.close();
    }
    fs::rename(temp, final, ec);
    if (ec) throw RepositoryError("cannot write " + final.string() + ": " + ec.message());
    syncDir(final.parent_path());
  }
  void readRange(const std::string& path, std::uint64_t offset, std::uint64_t length,
                 std::string& out) const override {
    std::ifstream in(dir_ / path, std::ios::binary);
    if (!in) throw RepositoryError("cannot open " + where(path) + ": " + std::strerror(errno));
    out.resize(length);
    in.seekg(static_cast<std::streamoff>(offset));
    in.read(out.data(), static_cast<std::streamsize>(length));
    out.resize(static_cast<std::size_t>(std::max<std::streamsize>(in.gcount(), 0)));
    if (in.bad()) throw RepositoryError("cannot read " + where(path));
  }
  std::vector<SpaceFile> list(const std::string& dir) const override {
    std::vector<SpaceFile> files;
    std::error_code ec;
    fs::path root = dir_ / dir;
    if (!fs::is_directory(root, ec)) return files;
    for (auto it = fs::recursive_directory_iterator(root, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      // An entry renamed or removed meanwhile (another backup's partial index file) is skipped.
      std::error_code gone;
      if (!it->is_regular_file(gone)) continue;
      auto size = it->file_size(gone);
      if (!gone) files.push_back({fs::relative(it->path(), dir_).string(), size});
    }
    if (ec) throw RepositoryError("cannot list " + root.string() + ": " + ec.message());
    std::sort(files.begin(), files.end(), [](const auto& a, const auto& b) { return a.path < b.path; });
    return files;
  }
  void remove(const std::string& path) override {
    std::error_code ec;
    fs::remove(dir_ / path, ec);
    if (ec) throw RepositoryError("cannot delete " + where(path) + ": " + ec.message());
  }
  std::unique_ptr<PackFile> newPack() override { return std::make_unique<LocalPack>(dir_ / "packs"); }
  const fs::path& localDir() const override { return dir_; }

 private:
  fs::path dir_;
};

}  // namespace

std::unique_ptr<ChunkSpace> localChunkSpace(fs::path dir) {
  return std::make_unique<LocalSpace>(std::move(dir));
}

}  // namespace volumes::chunks

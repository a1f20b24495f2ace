#include "volumes/chunks/pack_writer.hpp"

#include <random>

#include "volumes/repository.hpp"

namespace volumes::chunks {

namespace fs = std::filesystem;

PackWriter::PackWriter(fs::path packsDir, Sealed sealed, std::uint64_t target)
    : dir_(std::move(packsDir)), sealed_(std::move(sealed)), target_(target) {}

PackWriter::~PackWriter() = default;

void PackWriter::add(const std::string& name, std::string_view blob, std::uint64_t size) {
  if (!pack_) {
    makePrivateDir(dir_);
    std::random_device random;
    // A killed run leaves its partial pack under this name, which no index names (FORMAT.md: the
    // garbage collection to come removes it).
    pack_ =
        std::make_unique<PartFile>(dir_ / ("partial-" + std::to_string(random()) + std::to_string(random())));
  }
  entries_.push_back({name, {"", pack_->size(), blob.size(), size}});
  names_.emplace(name, blob.size());
  pack_->write(blob);
  // Many tiny blobs (a bucket of small objects) would otherwise keep a pack open for hundreds of
  // thousands of entries, all held here until it is sealed.
  if (pack_->size() >= target_ || entries_.size() >= kMaxBlobsPerPack) seal();
}

void PackWriter::finish() {
  if (pack_) seal();
}

void PackWriter::seal() {
  std::string name = pack_->close();
  fs::path partial = pack_->path();
  pack_.reset();
  fs::path sub = dir_ / name.substr(0, 2), final = sub / name;
  makePrivateDir(sub);
  std::error_code ec;
  fs::rename(partial, final, ec);
  if (ec) {
    fs::remove(partial);
    throw RepositoryError("cannot move a pack to " + final.string() + ": " + ec.message());
  }
  syncDir(sub);
  for (auto& e : entries_) e.at.pack = name;
  sealed_(entries_);
  entries_.clear();
  names_.clear();
}

}  // namespace volumes::chunks

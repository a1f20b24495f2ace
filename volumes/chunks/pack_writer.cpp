#include "volumes/chunks/pack_writer.hpp"

namespace volumes::chunks {

PackWriter::PackWriter(ChunkSpace& space, Sealed sealed, std::uint64_t target)
    : space_(space), sealed_(std::move(sealed)), target_(target) {}

PackWriter::~PackWriter() = default;

void PackWriter::add(const std::string& name, std::string_view blob, std::uint64_t size) {
  if (!pack_) pack_ = space_.newPack();
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
  std::string name;
  try {
    name = pack_->seal();
  } catch (...) {
    // The pack is dropped: no blob of it may still look pending (stored) to a later find().
    pack_.reset();
    entries_.clear();
    names_.clear();
    throw;
  }
  pack_.reset();
  for (auto& e : entries_) e.at.pack = name;
  sealed_(entries_);
  entries_.clear();
  names_.clear();
}

}  // namespace volumes::chunks

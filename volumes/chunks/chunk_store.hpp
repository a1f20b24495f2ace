#pragma once
// The chunks of a repository (REPO/.chunks/ or PREFIX/.chunks/ in a bucket): blobs in packs, and per
// pack an index file written and made durable before the cache learns of its blobs — so no backup
// can count on a chunk whose location a crash lost.
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "volumes/chunks/chunk_index.hpp"
#include "volumes/chunks/chunk_keys.hpp"
#include "volumes/chunks/chunk_space.hpp"
#include "volumes/chunks/chunked_part.hpp"
#include "volumes/chunks/pack_writer.hpp"

namespace volumes::chunks {

// Parts written on several threads share one store: each call takes its lock.
class ChunkStore : public BlobStore {
 public:
  // Reads the index files the cache has not seen yet.
  ChunkStore(ChunkSpace& space, ChunkIndex& index, std::uint64_t packTarget = 16 * 1024 * 1024);

  std::optional<std::uint64_t> find(const std::string& name) override;
  // A chunk another part stored since find() said it was missing is not stored twice.
  void put(const std::string& name, std::string blob, std::uint64_t size) override;
  // Seals the last pack and indexes it. Without it, that pack's blobs are not kept.
  void finish();

 private:
  void indexPack(const std::vector<IndexEntry>& entries);
  ChunkSpace& space_;
  ChunkIndex& index_;
  std::mutex mutex_;
  PackWriter packs_;
};

// Writes index/PACK.tsv for a sealed pack's entries; returns its file name.
std::string writeIndexFile(ChunkSpace& space, const std::vector<IndexEntry>& entries);

// A blob opened (when the store seals them) and decompressed into `raw` (`size` bytes); true when
// those bytes carry `name`. With `frame`, the zstd frame it held goes there.
bool decodeChunk(const ChunkKeys& keys, std::string_view blob, std::uint64_t size, const std::string& name,
                 std::string& raw, std::string* frame = nullptr);

// No blob of any chunk the chunker cuts is longer: zstd's bound plus a sealed blob's age overhead.
std::size_t largestBlob();
// Far above any chunk the chunker cuts: a damaged list or index cannot make a reader allocate more.
inline constexpr std::uint64_t kLargestChunk = 64 * 1024 * 1024;

}  // namespace volumes::chunks

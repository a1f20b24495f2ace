#pragma once
// The chunks of a repository in a local directory (REPO/chunks/): blobs in packs, and per pack an
// index file written and made durable before the cache learns of its blobs — so no backup can count
// on a chunk whose location a crash lost.
#include <filesystem>
#include <fstream>
#include <mutex>
#include <string>

#include "base/sha256.hpp"
#include "base/streams.hpp"
#include "volumes/chunks/chunk_index.hpp"
#include "volumes/chunks/chunk_keys.hpp"
#include "volumes/chunks/chunked_part.hpp"
#include "volumes/chunks/pack_writer.hpp"
#include "volumes/stored_bytes.hpp"

namespace volumes::chunks {

// Parts written on several threads share one store: each call takes its lock.
class LocalChunkStore : public BlobStore {
 public:
  // Reads the index files the cache has not seen yet.
  LocalChunkStore(std::filesystem::path chunksDir, ChunkIndex& index,
                  std::uint64_t packTarget = 16 * 1024 * 1024);

  std::optional<std::uint64_t> find(const std::string& name) override;
  // A chunk another part stored since find() said it was missing is not stored twice.
  void put(const std::string& name, std::string blob, std::uint64_t size) override;
  // Seals the last pack and indexes it. Without it, that pack's blobs are not kept.
  void finish();

 private:
  void indexPack(const std::vector<IndexEntry>& entries);
  std::filesystem::path dir_;
  ChunkIndex& index_;
  std::mutex mutex_;
  PackWriter packs_;
};

// Writes index/PACK.tsv for a sealed pack's entries (through a partial- file, fsynced, renamed);
// returns its file name.
std::string writeIndexFile(const std::filesystem::path& chunksDir, const std::vector<IndexEntry>& entries);

// A blob opened (when the store seals them) and decompressed into `raw` (`size` bytes); true when
// those bytes carry `name`. With `frame`, the zstd frame it held goes there.
bool decodeChunk(const ChunkKeys& keys, std::string_view blob, std::uint64_t size, const std::string& name,
                 std::string& raw, std::string* frame = nullptr);

// No blob of any chunk the chunker cuts is longer: zstd's bound plus a sealed blob's age overhead.
std::size_t largestBlob();

// A part read back from its chunk list (a line per chunk, in order): each blob read from its pack,
// decompressed, and its name checked against its bytes — a flipped byte anywhere is an error naming
// the chunk and pack before its bytes are handed out. At the end the list's own sha256 is checked
// against `listSha256` (the manifest's) when one is given. Holds one chunk in memory. With
// `blobs`, hands out the checked zstd frames instead (back to back: the part as one .zst file; in
// an encrypted store that is plaintext, for the caller to seal again).
class ChunkListReader : public StoredReader {
 public:
  ChunkListReader(std::filesystem::path chunkList, std::filesystem::path chunksDir, ChunkIndex& index,
                  ChunkKeys keys, std::string listSha256 = {}, bool blobs = false);
  std::size_t read(char* buffer, std::size_t capacity) override;
  const std::string& where() const override { return where_; }

 private:
  bool nextChunk();
  std::filesystem::path listPath_, chunksDir_;
  std::string where_;
  ChunkIndex& index_;
  ChunkKeys keys_;
  std::string listSha256_;
  std::unique_ptr<StoredReader> list_;
  base::Sha256 listHash_;
  std::string listBuffer_, blob_, raw_, frame_;
  std::string openPack_;
  std::ifstream packIn_;
  std::size_t rawAt_ = 0;
  int line_ = 0;
  bool listEnded_ = false, blobs_;
};

// The same, pushed into `out` (the stock-tools recipe's test compares with it).
void readChunkedPart(const std::filesystem::path& chunkList, const std::filesystem::path& chunksDir,
                     ChunkIndex& index, const ChunkKeys& keys, const base::ChunkSink& out);

}  // namespace volumes::chunks

#pragma once
// The chunks of a repository in a local directory (REPO/chunks/): blobs in packs, and per pack an
// index file written and made durable before the cache learns of its blobs — so no backup can count
// on a chunk whose location a crash lost.
#include <filesystem>
#include <string>

#include "base/streams.hpp"
#include "volumes/chunks/chunk_index.hpp"
#include "volumes/chunks/chunk_namer.hpp"
#include "volumes/chunks/chunked_part.hpp"
#include "volumes/chunks/pack_writer.hpp"

namespace volumes::chunks {

class LocalChunkStore : public BlobStore {
 public:
  // Reads the index files the cache has not seen yet.
  LocalChunkStore(std::filesystem::path chunksDir, ChunkIndex& index,
                  std::uint64_t packTarget = 16 * 1024 * 1024);

  bool has(const std::string& name) override { return packs_.holds(name) || index_.contains(name); }
  void put(const std::string& name, std::string blob, std::uint64_t size) override {
    packs_.add(name, blob, size);
  }
  // Seals the last pack and indexes it. Without it, that pack's blobs are not kept.
  void finish() { packs_.finish(); }

 private:
  void indexPack(const std::vector<IndexEntry>& entries);
  std::filesystem::path dir_;
  ChunkIndex& index_;
  PackWriter packs_;
};

// One line of a part's chunk list: "NAME SIZE".
std::string chunkListLine(const ChunkRef& ref);

// Streams a part back from its chunk list (a line per chunk, in order): each blob read from its
// pack, decompressed, and its name checked against its bytes (a flipped byte anywhere is an error
// naming the chunk and pack, before its bytes reach `out`).
void readChunkedPart(const std::filesystem::path& chunkList, const std::filesystem::path& chunksDir,
                     ChunkIndex& index, const ChunkNamer& namer, const base::ChunkSink& out);

}  // namespace volumes::chunks

#pragma once
// A part read back from its chunk list (a line per chunk, in order): each blob read from its pack,
// decompressed, and its name checked against its bytes — a flipped byte anywhere is an error naming
// the chunk and pack before its bytes are handed out. At the end the list's own sha256 is checked
// against `listSha256` (the manifest's) when one is given. With `blobs`, hands out the checked zstd
// frames instead (back to back: the part as one .zst file; in an encrypted store that is plaintext,
// for the caller to seal again).
//
// Chunks that follow each other in a pack are read with one read of their span (up to `span` bytes):
// from a bucket that is one ranged GET for many chunks, not one per chunk. Memory: one span.
#include <cstdint>
#include <deque>
#include <memory>
#include <string>

#include "base/sha256.hpp"
#include "base/streams.hpp"
#include "volumes/chunks/chunk_index.hpp"
#include "volumes/chunks/chunk_keys.hpp"
#include "volumes/chunks/chunk_space.hpp"
#include "volumes/stored_bytes.hpp"

namespace volumes::chunks {

class ChunkListReader : public StoredReader {
 public:
  ChunkListReader(std::unique_ptr<StoredReader> list, const ChunkSpace& space, ChunkIndex& index,
                  ChunkKeys keys, std::string listSha256 = {}, bool blobs = false,
                  std::uint64_t span = 8 * 1024 * 1024);
  std::size_t read(char* buffer, std::size_t capacity) override;
  const std::string& where() const override { return where_; }
  // Reads of the store so far (a test's count of ranged GETs).
  std::uint64_t spansRead() const { return spansRead_; }

 private:
  struct Next {
    std::string name, where;
    std::uint64_t size = 0;
    BlobLocation at;
  };
  bool nextChunk();
  bool parseLine();  // one more line into ahead_; false at the end of the list (its sha256 checked)
  void readSpan();   // ahead_.front() and the chunks after it in the same pack
  std::unique_ptr<StoredReader> list_;
  const ChunkSpace& space_;
  std::string where_;
  ChunkIndex& index_;
  ChunkKeys keys_;
  std::string listSha256_;
  base::Sha256 listHash_;
  std::string listBuffer_, raw_, frame_;
  std::deque<Next> ahead_;
  std::string spanPack_, span_;
  std::uint64_t spanStart_ = 0, spanLimit_, spansRead_ = 0;
  std::size_t rawAt_ = 0;
  int line_ = 0;
  bool listEnded_ = false, listChecked_ = false, blobs_;
};

// The same, pushed into `out` (the stock-tools recipe's test compares with it).
void readChunkedPart(std::unique_ptr<StoredReader> list, const ChunkSpace& space, ChunkIndex& index,
                     const ChunkKeys& keys, const base::ChunkSink& out);

}  // namespace volumes::chunks

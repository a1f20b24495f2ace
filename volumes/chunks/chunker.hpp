#pragma once
// Content-defined chunking (FastCDC with normalised chunk sizes): cut points depend on the bytes
// around them, not on their offset, so an insert or a deletion moves only the chunks it touches
// and the rest of a volume, dump or RDB is stored once per repository (issue #17).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace volumes::chunks {

struct ChunkLimits {
  std::size_t min = 256 * 1024;       // no cut before: tiny chunks would cost a pack entry each
  std::size_t average = 1024 * 1024;  // a power of two; cuts are likelier past it, rarer before
  std::size_t max = 4 * 1024 * 1024;  // bounds what one changed byte rewrites
};

// Finds the cut points of a stream fed in pieces of any size; the cut points are the same however
// the stream is split. Part of the repository format: its table and masks never change.
class Chunker {
 public:
  explicit Chunker(ChunkLimits limits = {});

  // How many of `bytes` complete the current chunk, when it ends inside them; nothing when all of
  // them belong to it and it goes on. After a cut the next chunk starts at the following byte.
  std::optional<std::size_t> cut(std::string_view bytes);
  // The bytes of the current, unfinished chunk (the stream's last chunk when it ends).
  std::size_t pending() const { return length_; }
  // Forgets the current chunk: a new stream (or a new file of a volume) starts a chunk.
  void restart();

  const ChunkLimits& limits() const { return limits_; }

 private:
  ChunkLimits limits_;
  std::uint64_t strict_, loose_;  // masks before and after the average size
  std::uint64_t hash_ = 0;
  std::size_t length_ = 0;
};

// The chunk sizes of a whole buffer, for tests and tools.
std::vector<std::size_t> chunkSizes(std::string_view bytes, ChunkLimits limits = {});

}  // namespace volumes::chunks

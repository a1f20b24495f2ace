#pragma once
// Streaming zstd in both directions with bounded memory: chunks in, chunks out. Parts are
// standard zstd frames, so `zstd -d` reads them without this plugin.
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string_view>

#include "base/error.hpp"
#include "base/streams.hpp"

namespace volumes {

class CompressionError : public base::Error {
 public:
  using base::Error::Error;
};

class ZstdCompressor {
 public:
  // `threads` > 0 compresses with that many worker threads (zstd's own multithreading).
  ZstdCompressor(base::ChunkSink out, int level = 3, int threads = 0);
  ~ZstdCompressor();
  ZstdCompressor(const ZstdCompressor&) = delete;
  ZstdCompressor& operator=(const ZstdCompressor&) = delete;

  void write(std::string_view bytes);
  void finish();  // ends the frame; no write() afterwards
  std::uint64_t bytesIn() const { return in_; }

 private:
  void drive(std::string_view bytes, int mode);
  struct State;
  std::unique_ptr<State> state_;
  base::ChunkSink out_;
  std::uint64_t in_ = 0;
  bool finished_ = false;
};

class ZstdDecompressor {
 public:
  // Output beyond `maxOutput` bytes is an error: a part must not grow past what its manifest says
  // (a decompression bomb stops there instead of filling the disk).
  ZstdDecompressor(base::ChunkSink out, std::uint64_t maxOutput = UINT64_MAX);
  ~ZstdDecompressor();
  ZstdDecompressor(const ZstdDecompressor&) = delete;
  ZstdDecompressor& operator=(const ZstdDecompressor&) = delete;

  void write(std::string_view bytes);
  // Throws CompressionError if the input ended inside a frame (a truncated part).
  void finish();
  std::uint64_t bytesOut() const { return out_bytes_; }

 private:
  struct State;
  std::unique_ptr<State> state_;
  base::ChunkSink out_;
  std::uint64_t max_;
  std::uint64_t out_bytes_ = 0;
  bool midFrame_ = false;
};

}  // namespace volumes

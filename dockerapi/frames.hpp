#pragma once
// Demultiplexes the engine's attach/exec stream (no TTY): frames of an 8-byte header
// [stream, 0, 0, 0, size as big-endian uint32] followed by `size` payload bytes.
// Chunks may split headers and payloads anywhere, so the demuxer keeps state between feeds.
#include <array>
#include <cstdint>
#include <string_view>

#include "base/streams.hpp"

namespace dockerapi {

class FrameDemuxer {
 public:
  FrameDemuxer(base::ChunkSink stdoutSink, base::ChunkSink stderrSink);

  void feed(std::string_view chunk);
  // True when the bytes fed so far end exactly at a frame boundary (a clean end of stream).
  bool atBoundary() const { return headerFill_ == 0 && remaining_ == 0; }
  std::uint64_t stdoutBytes() const { return stdoutBytes_; }
  std::uint64_t stderrBytes() const { return stderrBytes_; }

 private:
  base::ChunkSink stdout_;
  base::ChunkSink stderr_;
  std::array<unsigned char, 8> header_{};
  std::size_t headerFill_ = 0;
  std::uint32_t remaining_ = 0;
  unsigned char stream_ = 0;
  std::uint64_t stdoutBytes_ = 0;
  std::uint64_t stderrBytes_ = 0;
};

}  // namespace dockerapi

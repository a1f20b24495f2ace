#pragma once
// The two shapes every byte stream in the plugin takes: pushed chunks and pulled chunks.
// Keeping them as plain callables lets dockerapi stream without knowing what sits on either end.
#include <algorithm>
#include <cstddef>
#include <cstring>
#include <functional>
#include <string_view>

namespace base {

// Receives a chunk of bytes; may throw to abort the transfer.
using ChunkSink = std::function<void(std::string_view)>;

// Fills up to `capacity` bytes into `buffer` and returns how many; 0 means end of stream.
using ChunkSource = std::function<std::size_t(char* buffer, std::size_t capacity)>;

// The bytes of `bytes`, pulled once; they must outlive the stream.
inline ChunkSource bytesSource(std::string_view bytes) {
  return [bytes, offset = std::size_t{0}](char* buffer, std::size_t capacity) mutable {
    std::size_t n = std::min(capacity, bytes.size() - offset);
    std::memcpy(buffer, bytes.data() + offset, n);
    offset += n;
    return n;
  };
}

}  // namespace base

#pragma once
// The two shapes every byte stream in the plugin takes: pushed chunks and pulled chunks.
// Keeping them as plain callables lets dockerapi stream without knowing what sits on either end.
#include <cstddef>
#include <functional>
#include <string_view>

namespace dockerapi {

// Receives a chunk of bytes; may throw to abort the transfer.
using ChunkSink = std::function<void(std::string_view)>;

// Fills up to `capacity` bytes into `buffer` and returns how many; 0 means end of stream.
using ChunkSource = std::function<std::size_t(char* buffer, std::size_t capacity)>;

}  // namespace dockerapi

#pragma once
// A repository's stored bytes kept in memory, for tests and fuzzers that need a StoredWriter or a
// StoredReader without a directory. Header-only, no test framework: the fuzz targets include it too.
#include <algorithm>
#include <cstring>
#include <string>
#include <string_view>

#include "base/sha256.hpp"
#include "volumes/stored_bytes.hpp"

namespace agentchat_test {

// Appends to a string the caller owns (so what was written outlives the writer).
struct MemoryWriter : volumes::StoredWriter {
  std::string* into;
  explicit MemoryWriter(std::string* into) : into(into) {}
  void write(std::string_view bytes) override { into->append(bytes); }
  std::string close() override {
    base::Sha256 sha;
    sha.update(*into);
    return sha.hexDigest();
  }
  std::uint64_t size() const override { return into->size(); }
};

struct MemoryReader : volumes::StoredReader {
  std::string bytes, name = "memory";
  std::size_t at = 0;
  explicit MemoryReader(std::string bytes) : bytes(std::move(bytes)) {}
  std::size_t read(char* buffer, std::size_t capacity) override {
    std::size_t n = std::min(capacity, bytes.size() - at);
    std::memcpy(buffer, bytes.data() + at, n);
    at += n;
    return n;
  }
  const std::string& where() const override { return name; }
};

}  // namespace agentchat_test

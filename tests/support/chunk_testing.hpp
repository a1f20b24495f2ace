#pragma once
// What the chunk tests (issue #17) share: reproducible random bytes, and a blob store in memory that
// keeps each chunk decompressed and fails the test when a chunk is stored twice.
#include <gtest/gtest.h>
#include <zstd.h>

#include <cstdint>
#include <cstring>
#include <map>
#include <mutex>
#include <random>
#include <string>

#include "volumes/chunks/chunked_part.hpp"

namespace agentchat_test {

// Eight bytes per draw of the generator: the tests' own code is built without optimisation (and
// instrumented under the sanitizers), where a draw per byte costs seconds for the larger streams.
inline std::string randomBytes(std::size_t n, unsigned seed) {
  std::mt19937_64 random(seed);
  std::string out(n, '\0');
  std::size_t at = 0;
  for (; at + 8 <= n; at += 8) {
    std::uint64_t word = random();
    std::memcpy(out.data() + at, &word, 8);
  }
  if (at < n) {
    std::uint64_t word = random();
    std::memcpy(out.data() + at, &word, n - at);
  }
  return out;
}

struct MemoryBlobStore : volumes::chunks::BlobStore {
  std::map<std::string, std::string> raw;  // name -> the chunk's bytes
  std::map<std::string, std::uint64_t> lengths;
  std::mutex mutex;  // find() comes from the writer's threads
  std::optional<std::uint64_t> find(const std::string& name) override {
    std::lock_guard lock(mutex);
    auto at = lengths.find(name);
    return at == lengths.end() ? std::nullopt : std::optional<std::uint64_t>(at->second);
  }
  void put(const std::string& name, std::string blob, std::uint64_t size) override {
    std::lock_guard lock(mutex);
    EXPECT_FALSE(raw.count(name)) << "stored twice: " << name;
    std::string bytes(size, '\0');
    EXPECT_EQ(ZSTD_decompress(bytes.data(), bytes.size(), blob.data(), blob.size()), size);
    raw[name] = std::move(bytes);
    lengths[name] = blob.size();
  }
};

}  // namespace agentchat_test

// The content-defined chunker of the deduplicating repository (issue #17): sizes within the limits,
// cut points independent of how the stream is fed, and shared chunks after an insert.
#include <gtest/gtest.h>

#include <numeric>
#include <random>
#include <set>
#include <string>

#include "base/sha256.hpp"
#include "tests/support/chunk_testing.hpp"
#include "volumes/chunks/chunker.hpp"

using volumes::chunks::Chunker;
using volumes::chunks::ChunkLimits;
using volumes::chunks::chunkSizes;

using agentchat_test::randomBytes;

namespace {

std::vector<std::string> chunksOf(const std::string& data, ChunkLimits limits = {}) {
  std::vector<std::string> out;
  std::size_t at = 0;
  for (auto size : chunkSizes(data, limits)) {
    out.push_back(data.substr(at, size));
    at += size;
  }
  return out;
}

std::multiset<std::string> digests(const std::vector<std::string>& chunks) {
  std::multiset<std::string> out;
  for (const auto& c : chunks) out.insert(base::sha256Hex(c));
  return out;
}

}  // namespace

TEST(Chunker, SizesStayWithinTheLimitsAndAddUpToTheStream) {
  auto data = randomBytes(24 << 20, 1);
  auto sizes = chunkSizes(data);
  ChunkLimits limits;
  ASSERT_GT(sizes.size(), 10u);
  EXPECT_EQ(std::accumulate(sizes.begin(), sizes.end(), std::size_t{0}), data.size());
  for (std::size_t i = 0; i + 1 < sizes.size(); ++i) {
    EXPECT_GE(sizes[i], limits.min) << i;
    EXPECT_LE(sizes[i], limits.max) << i;
  }
  // Normalised chunking keeps the mean near the average (24 MiB: about 24 chunks).
  double mean = static_cast<double>(data.size()) / static_cast<double>(sizes.size());
  EXPECT_GT(mean, 0.6 * static_cast<double>(limits.average));
  EXPECT_LT(mean, 1.6 * static_cast<double>(limits.average));
}

TEST(Chunker, TheCutsAreTheSameHoweverTheStreamIsSplit) {
  auto data = randomBytes(6 << 20, 2);
  auto whole = chunkSizes(data);
  std::mt19937 random(3);
  for (std::size_t piece : {1u, 7u, 4096u, 65536u, 0u}) {
    Chunker chunker;
    std::vector<std::size_t> sizes;
    std::size_t start = 0, at = 0;
    while (at < data.size()) {
      std::size_t n = piece ? piece : 1 + random() % 300000;
      std::string_view rest = std::string_view(data).substr(at, n);
      while (auto cut = chunker.cut(rest)) {
        at += *cut;
        sizes.push_back(at - start);
        start = at;
        rest.remove_prefix(*cut);
      }
      at += rest.size();
    }
    if (chunker.pending() > 0) sizes.push_back(chunker.pending());
    EXPECT_EQ(sizes, whole) << "pieces of " << piece;
  }
}

TEST(Chunker, AnInsertOrADeletionChangesOnlyTheChunksAroundIt) {
  auto data = randomBytes(16 << 20, 4);
  auto before = digests(chunksOf(data));
  std::string inserted = data;
  inserted.insert(5'000'000, "a line a user added\n");
  std::string deleted = data;
  deleted.erase(12'000'000, 4096);
  for (const auto& changed : {inserted, deleted}) {
    auto after = digests(chunksOf(changed));
    std::size_t shared = 0;
    for (const auto& d : after) shared += before.count(d) > 0;
    // One or two chunks around the change are new; the cut points resynchronise after it.
    EXPECT_GE(shared + 3, after.size()) << shared << " of " << after.size() << " chunks shared";
  }
}

TEST(Chunker, DataWithoutCutPointsIsCutAtTheMaximum) {
  std::string zeros(10 << 20, '\0');
  auto sizes = chunkSizes(zeros);
  ChunkLimits limits;
  ASSERT_EQ(sizes.size(), 3u);
  EXPECT_EQ(sizes[0], limits.max);
  EXPECT_EQ(sizes[1], limits.max);
  EXPECT_EQ(sizes[2], (10u << 20) - 2 * limits.max);
}

TEST(Chunker, ARestartBeginsAChunkAndBadLimitsAreRefused) {
  auto data = randomBytes(3 << 20, 5);
  Chunker chunker;
  EXPECT_FALSE(chunker.cut(std::string_view(data).substr(0, 1000)));
  EXPECT_EQ(chunker.pending(), 1000u);
  chunker.restart();
  EXPECT_EQ(chunker.pending(), 0u);
  auto first = chunker.cut(data);
  ASSERT_TRUE(first);
  EXPECT_EQ(*first, chunkSizes(data).front());
  EXPECT_THROW(Chunker(ChunkLimits{1024, 3000, 8192}), std::invalid_argument);
  EXPECT_THROW(Chunker(ChunkLimits{4096, 4096, 8192}), std::invalid_argument);
  EXPECT_THROW(Chunker(ChunkLimits{1024, 4096, 4096}), std::invalid_argument);
}

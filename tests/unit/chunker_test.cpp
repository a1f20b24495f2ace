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

// The default limits scaled down 16 times: the same masks and cut rules, with 16 times fewer bytes
// to cut for as many chunks (the tests' streams are sized in averages of these).
constexpr ChunkLimits kSmall{16 << 10, 64 << 10, 256 << 10};

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
  // The repository's limits (part of its format) and the scaled-down ones the other tests use.
  for (ChunkLimits limits : {ChunkLimits{}, kSmall}) {
    SCOPED_TRACE("average " + std::to_string(limits.average));
    auto data = randomBytes(16 * limits.average, 1);
    auto sizes = chunkSizes(data, limits);
    ASSERT_GT(sizes.size(), 10u);
    EXPECT_EQ(std::accumulate(sizes.begin(), sizes.end(), std::size_t{0}), data.size());
    for (std::size_t i = 0; i + 1 < sizes.size(); ++i) {
      EXPECT_GE(sizes[i], limits.min) << i;
      EXPECT_LE(sizes[i], limits.max) << i;
    }
    // Normalised chunking keeps the mean near the average (16 averages: about 16 chunks).
    double mean = static_cast<double>(data.size()) / static_cast<double>(sizes.size());
    EXPECT_GT(mean, 0.6 * static_cast<double>(limits.average));
    EXPECT_LT(mean, 1.6 * static_cast<double>(limits.average));
  }
}

TEST(Chunker, TheCutsAreTheSameHoweverTheStreamIsSplit) {
  auto data = randomBytes(6 * kSmall.average, 2);
  auto whole = chunkSizes(data, kSmall);
  std::mt19937 random(3);
  for (std::size_t piece : {1u, 7u, 4096u, 65536u, 0u}) {  // 65536: a piece holds several cuts
    Chunker chunker(kSmall);
    std::vector<std::size_t> sizes;
    std::size_t start = 0, at = 0;
    while (at < data.size()) {
      std::size_t n = piece ? piece : 1 + random() % (300000 / 16);
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
  auto data = randomBytes(16 * kSmall.average, 4);
  auto before = digests(chunksOf(data, kSmall));
  std::string inserted = data;
  inserted.insert(5'000'000 / 16, "a line a user added\n");
  std::string deleted = data;
  deleted.erase(12'000'000 / 16, 4096);
  for (const auto& changed : {inserted, deleted}) {
    auto after = digests(chunksOf(changed, kSmall));
    std::size_t shared = 0;
    for (const auto& d : after) shared += before.count(d) > 0;
    // One or two chunks around the change are new; the cut points resynchronise after it.
    EXPECT_GE(shared + 3, after.size()) << shared << " of " << after.size() << " chunks shared";
  }
}

TEST(Chunker, DataWithoutCutPointsIsCutAtTheMaximum) {
  ChunkLimits limits = kSmall;
  std::string zeros(10 * limits.average, '\0');
  auto sizes = chunkSizes(zeros, limits);
  ASSERT_EQ(sizes.size(), 3u);
  EXPECT_EQ(sizes[0], limits.max);
  EXPECT_EQ(sizes[1], limits.max);
  EXPECT_EQ(sizes[2], zeros.size() - 2 * limits.max);
}

TEST(Chunker, ARestartBeginsAChunkAndBadLimitsAreRefused) {
  auto data = randomBytes(3 * kSmall.average, 5);
  Chunker chunker(kSmall);
  EXPECT_FALSE(chunker.cut(std::string_view(data).substr(0, 1000)));
  EXPECT_EQ(chunker.pending(), 1000u);
  chunker.restart();
  EXPECT_EQ(chunker.pending(), 0u);
  auto first = chunker.cut(data);
  ASSERT_TRUE(first);
  EXPECT_EQ(*first, chunkSizes(data, kSmall).front());
  EXPECT_THROW(Chunker(ChunkLimits{1024, 3000, 8192}), std::invalid_argument);
  EXPECT_THROW(Chunker(ChunkLimits{4096, 4096, 8192}), std::invalid_argument);
  EXPECT_THROW(Chunker(ChunkLimits{1024, 4096, 4096}), std::invalid_argument);
}

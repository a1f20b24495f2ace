// A volume's tar stream chunked along its files (issue #17): it comes back byte for byte, a file's
// content is chunked on its own (the same content under another name or place stores only headers),
// a file that grew stores only its last chunk, and a torn stream is refused.
#include <gtest/gtest.h>

#include <string>

#include "tests/support/chunk_testing.hpp"
#include "tests/support/tar_blocks.hpp"
#include "volumes/chunks/tar_chunking.hpp"

using namespace volumes::chunks;

using agentchat_test::randomBytes;

namespace {

std::string entry(const std::string& name, const std::string& content) {
  std::string out = agentchat_test::ustarHeader(name, '0', content.size()) + content;
  out.resize((out.size() + 511) / 512 * 512, '\0');
  return out;
}

std::string tarOf(const std::vector<std::pair<std::string, std::string>>& files) {
  std::string out;
  for (const auto& [name, content] : files) out += entry(name, content);
  out += agentchat_test::ustarHeader("dir/", '5');
  return out + std::string(1024, '\0');
}

using MemoryStore = agentchat_test::MemoryBlobStore;

// The default limits scaled down 16 times (the files below too): as many chunks, fewer bytes.
constexpr ChunkLimits kSmall{16 << 10, 64 << 10, 256 << 10};

struct Result {
  std::string back;  // the chunks in order, concatenated
  std::uint64_t newRaw = 0;
};

Result chunkTar(MemoryStore& store, const std::string& tar, std::size_t piece = 70000 / 16) {
  Result r;
  auto keys = ChunkKeys::plain();
  ChunkedPartWriter writer(
      store, keys, [&](const ChunkRef& ref) { r.back += store.raw.at(ref.name); }, kSmall);
  TarChunking chunking(writer);
  for (std::size_t i = 0; i < tar.size(); i += piece) chunking.write(std::string_view(tar).substr(i, piece));
  chunking.finish();
  writer.finish();
  r.newRaw = writer.newRawBytes();
  return r;
}

}  // namespace

TEST(TarChunking, EachFilesContentIsChunkedOnItsOwnAndTheStreamComesBack) {
  MemoryStore store;
  auto a = randomBytes(3 * kSmall.average, 1), b = randomBytes(kSmall.average, 2),
       c = std::string("small file\n");
  auto tar = tarOf({{"a.bin", a}, {"b.bin", b}, {"c.txt", c}});
  auto first = chunkTar(store, tar);
  EXPECT_EQ(first.newRaw, tar.size());
  EXPECT_TRUE(first.back == tar);
  // The files' contents are chunks (or runs of chunks) of their own: c.txt is one whole chunk.
  bool cAlone = false;
  for (const auto& [name, bytes] : store.raw) cAlone = cAlone || bytes == c;
  EXPECT_TRUE(cAlone);

  // The same contents under other names and in another order: only headers are new.
  auto moved = tarOf({{"c-renamed.txt", c}, {"b.bin", b}, {"new/a.bin", a}});
  auto second = chunkTar(store, moved, 4096);
  EXPECT_LT(second.newRaw, 8u * 1024) << second.newRaw;
  EXPECT_TRUE(second.back == moved);
}

TEST(TarChunking, AFileThatGrewStoresOnlyItsLastChunkAndTheHeaders) {
  MemoryStore store;
  auto a = randomBytes(5 * kSmall.average, 3), b = randomBytes(2 * kSmall.average, 4);
  chunkTar(store, tarOf({{"log.txt", a}, {"b.bin", b}}));
  auto grown = chunkTar(store, tarOf({{"log.txt", a + "one more line\n"}, {"b.bin", b}}));
  EXPECT_LE(grown.newRaw, kSmall.max + 8u * 1024) << grown.newRaw;
}

TEST(TarChunking, ATornStreamIsRefused) {
  MemoryStore store;
  auto tar = tarOf({{"a.bin", randomBytes(100000, 5)}});
  auto keys = ChunkKeys::plain();
  ChunkedPartWriter writer(store, keys, [](const ChunkRef&) {});
  TarChunking chunking(writer);
  chunking.write(std::string_view(tar).substr(0, 50000));
  EXPECT_THROW(chunking.finish(), base::TarError);
}

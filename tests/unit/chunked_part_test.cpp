// A part cut into named chunks (issue #17): unchanged data stores nothing the second time, an
// insert stores only the chunks around it, file boundaries keep a file's chunks, the names are
// keyed when asked, and the blobs reassemble the exact stream.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/support/chunk_testing.hpp"
#include "volumes/chunks/chunked_part.hpp"

using namespace volumes::chunks;

using agentchat_test::randomBytes;

namespace {

// The default limits scaled down 16 times (the data below too): as many chunks, 16 times fewer bytes.
constexpr ChunkLimits kSmall{16 << 10, 64 << 10, 256 << 10};

struct MemoryStore : agentchat_test::MemoryBlobStore {
  std::string reassemble(const std::vector<ChunkRef>& refs) const {
    std::string out;
    for (const auto& ref : refs) out += raw.at(ref.name);
    return out;
  }
};

struct Written {
  std::vector<ChunkRef> refs;
  std::uint64_t newRaw = 0;
};

// `pieces` splits the stream at those offsets with a file boundary at each. Written in pieces of
// 6250 bytes: as the default limits' 100000, a chunk is made of several and some hold a cut.
Written writePart(MemoryStore& store, const ChunkKeys& keys, const std::string& data,
                  std::vector<std::size_t> boundaries = {}, int threads = 0) {
  Written w;
  ChunkedPartWriter writer(
      store, keys, [&](const ChunkRef& r) { w.refs.push_back(r); }, kSmall, 3, threads);
  std::size_t at = 0;
  boundaries.push_back(data.size());
  for (auto end : boundaries) {
    for (std::size_t i = at; i < end; i += 6250)
      writer.write(std::string_view(data).substr(i, std::min<std::size_t>(6250, end - i)));
    writer.boundary();
    at = end;
  }
  writer.finish();
  EXPECT_EQ(writer.rawBytes(), data.size());
  w.newRaw = writer.newRawBytes();
  return w;
}

}  // namespace

TEST(ChunkedPart, TheSameDataTwiceStoresNothingTheSecondTimeAndReassemblesExactly) {
  MemoryStore store;
  auto keys = ChunkKeys::plain();
  auto data = randomBytes(10 * kSmall.average, 1);
  auto first = writePart(store, keys, data);
  EXPECT_EQ(first.newRaw, data.size());
  EXPECT_EQ(store.reassemble(first.refs), data);
  auto blobs = store.raw.size();
  auto second = writePart(store, keys, data);
  EXPECT_EQ(second.newRaw, 0u);
  EXPECT_EQ(store.raw.size(), blobs);
  for (const auto& r : second.refs) EXPECT_FALSE(r.added);
  EXPECT_EQ(store.reassemble(second.refs), data);
}

TEST(ChunkedPart, CompressingOnThreadsGivesTheSameListAndStoresARepeatedChunkOnce) {
  // The same 3 averages three times (whole chunks repeat while the first copy is still in flight),
  // then text that compresses.
  auto block = randomBytes(3 * kSmall.average, 9);
  std::string data = block + block + block + std::string(6 * kSmall.average, 'a');
  std::vector<std::size_t> files = {block.size(), 2 * block.size(), 3 * block.size()};
  MemoryStore plain, threaded;
  auto keys = ChunkKeys::plain();
  auto one = writePart(plain, keys, data, files);
  auto two = writePart(threaded, keys, data, files, 2);  // MemoryStore fails on a chunk stored twice
  ASSERT_EQ(one.refs.size(), two.refs.size());
  std::uint64_t added = 0;
  for (std::size_t i = 0; i < one.refs.size(); ++i) {
    EXPECT_EQ(one.refs[i].name, two.refs[i].name);
    EXPECT_EQ(one.refs[i].stored, two.refs[i].stored);
    EXPECT_GT(two.refs[i].stored, 0u);
    added += two.refs[i].added;
  }
  EXPECT_EQ(added, threaded.raw.size());
  EXPECT_EQ(two.newRaw, one.newRaw);
  EXPECT_EQ(threaded.reassemble(two.refs), data);
}

TEST(ChunkedPart, AnInsertStoresOnlyTheChunksAroundIt) {
  MemoryStore store;
  auto keys = ChunkKeys::plain();
  auto data = randomBytes(16 * kSmall.average, 2);
  writePart(store, keys, data);
  std::string changed = data;
  changed.insert(7'000'000 / 16, std::string(12345 / 16, 'x'));
  auto again = writePart(store, keys, changed);
  EXPECT_LE(again.newRaw, 3u * kSmall.max) << again.newRaw;
  EXPECT_LT(again.newRaw, changed.size() / 4);
  EXPECT_EQ(store.reassemble(again.refs), changed);
}

TEST(ChunkedPart, FileBoundariesKeepAnUnchangedFilesChunksWhateverChangedBeforeIt) {
  MemoryStore store;
  auto keys = ChunkKeys::plain();
  // Three "files": the first grows, the two after it are unchanged.
  auto a = randomBytes(3 * kSmall.average, 3), b = randomBytes(5 * kSmall.average, 4),
       c = randomBytes(700000 / 16, 5);
  writePart(store, keys, a + b + c, {a.size(), a.size() + b.size()});
  std::string grown = a + "appended line\n";
  auto again = writePart(store, keys, grown + b + c, {grown.size(), grown.size() + b.size()});
  // Only the grown file's last chunk is new.
  EXPECT_LE(again.newRaw, kSmall.max);
  EXPECT_EQ(store.reassemble(again.refs), grown + b + c);
}

TEST(ChunkedPart, KeyedNamesAreHmacSha256AndDifferFromPlainOnes) {
  // RFC 4231 test case 6: a key longer than the block size.
  auto keys = ChunkKeys::keyed(volumes::AgeSecret(std::string(131, '\xaa')));
  EXPECT_EQ(keys.name("Test Using Larger Than Block-Size Key - Hash Key First"),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
  EXPECT_NE(keys.name("chunk"), ChunkKeys::plain().name("chunk"));
  EXPECT_EQ(ChunkKeys::plain().name("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_THROW(ChunkKeys::keyed(volumes::AgeSecret(std::string_view("short"))), std::invalid_argument);
}

// Chunks in a local repository (issue #17): packs and per-pack index files, a part read back
// exactly, nothing stored twice (also after the index cache is lost), a flipped byte refused naming
// the chunk, and the documented recipe with stock tools (sort, join, tail, head, zstd).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "base/private_dir.hpp"
#include "tests/support/chunk_testing.hpp"
#include "volumes/chunks/chunk_list_reader.hpp"
#include "volumes/chunks/chunk_store.hpp"
#include "volumes/chunks/pack_writer.hpp"
#include "volumes/part_file.hpp"

namespace fs = std::filesystem;
using namespace volumes::chunks;

using agentchat_test::randomBytes;

namespace {

// The default chunk limits scaled down 16 times, and so are the packs and the data below: as many
// chunks and packs, 16 times fewer bytes.
constexpr ChunkLimits kSmall{16 << 10, 64 << 10, 256 << 10};

std::size_t filesUnder(const fs::path& dir) {
  std::size_t n = 0;
  for (const auto& e : fs::recursive_directory_iterator(dir)) n += e.is_regular_file();
  return n;
}

// Writes `data` as a part whose chunk list is `list`; returns the raw bytes that were new.
std::uint64_t store(ChunkSpace& chunks, ChunkIndex& index, const std::string& data, const fs::path& list,
                    std::uint64_t packTarget = 256 << 10) {
  ChunkStore store(chunks, index, packTarget);
  std::ofstream out(list);
  auto keys = ChunkKeys::plain();
  ChunkedPartWriter writer(
      store, keys, [&](const ChunkRef& r) { out << chunkListLine(r) << "\n"; }, kSmall);
  writer.write(data);
  writer.finish();
  store.finish();
  return writer.newRawBytes();
}

std::string readBack(const ChunkSpace& chunks, ChunkIndex& index, const fs::path& list) {
  std::string out;
  readChunkedPart(volumes::openStoredFile(list), chunks, index, ChunkKeys::plain(),
                  [&](std::string_view b) { out += b; });
  return out;
}

struct Repo {
  base::PrivateDir dir{"agentchat-chunks-test"};
  fs::path chunks = dir.path() / "chunks";
  std::unique_ptr<ChunkSpace> space = localChunkSpace(chunks);
};

}  // namespace

TEST(ChunkStore, APartComesBackExactlyAndUnchangedDataAddsNoPack) {
  Repo repo;
  ChunkIndex index(repo.dir.path() / "cache.db");
  auto data = randomBytes(12 * kSmall.average, 1) + std::string(3 * kSmall.average, 'z');
  EXPECT_EQ(store(*repo.space, index, data, repo.dir.path() / "first.chunks"), data.size());
  EXPECT_EQ(readBack(*repo.space, index, repo.dir.path() / "first.chunks"), data);
  std::size_t packs = filesUnder(repo.chunks / "packs"), indexes = filesUnder(repo.chunks / "index");
  EXPECT_GE(packs, 2u);  // packs of 4 averages
  EXPECT_EQ(indexes, packs);

  EXPECT_EQ(store(*repo.space, index, data, repo.dir.path() / "second.chunks"), 0u);
  EXPECT_EQ(filesUnder(repo.chunks / "packs"), packs);
  EXPECT_EQ(readBack(*repo.space, index, repo.dir.path() / "second.chunks"), data);

  // The cache is only a cache: a new one reads the index files and knows every chunk.
  ChunkIndex fresh(repo.dir.path() / "other-cache.db");
  EXPECT_EQ(store(*repo.space, fresh, data, repo.dir.path() / "third.chunks"), 0u);
  EXPECT_EQ(fresh.size(), index.size());
  EXPECT_EQ(readBack(*repo.space, fresh, repo.dir.path() / "third.chunks"), data);
}

// A part's chunks follow each other in its packs: they are read a span at a time (from a bucket, one
// ranged GET for many chunks), and a chunk of another pack, or far away in the same one, ends a span.
TEST(ChunkStore, ChunksThatFollowEachOtherInAPackAreReadInOneSpan) {
  Repo repo;
  ChunkIndex index(repo.dir.path() / "cache.db");
  auto data = randomBytes(12 * kSmall.average, 4);
  fs::path list = repo.dir.path() / "part.chunks";
  store(*repo.space, index, data, list, 1 << 20);  // one pack
  std::size_t chunks = 0;
  std::string line;
  for (std::ifstream in(list); std::getline(in, line);) ++chunks;
  ASSERT_GE(chunks, 6u);
  auto read = [&](std::uint64_t span) {
    ChunkListReader reader(volumes::openStoredFile(list), *repo.space, index, ChunkKeys::plain(), {}, false,
                           span);
    std::string out(data.size() + 1, '\0');
    std::size_t got = 0;
    while (std::size_t n = reader.read(out.data() + got, out.size() - got)) got += n;
    EXPECT_EQ(out.substr(0, got), data);
    return reader.spansRead();
  };
  EXPECT_EQ(read(8 << 20), 1u);
  // Spans of at most 4 average chunks: a few, never one per chunk.
  auto spans = read(4 * kSmall.average);
  EXPECT_GE(spans, 3u);
  EXPECT_LT(spans, chunks);
  // The same chunks in another order: every jump back in the pack starts a span.
  fs::path reversed = repo.dir.path() / "reversed.chunks";
  {
    std::ifstream in(list);
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    std::ofstream out(reversed);
    for (auto it = lines.rbegin(); it != lines.rend(); ++it) out << *it << "\n";
  }
  ChunkListReader backwards(volumes::openStoredFile(reversed), *repo.space, index, ChunkKeys::plain());
  std::string sink(1 << 20, '\0');
  while (backwards.read(sink.data(), sink.size()) > 0) {
  }
  EXPECT_EQ(backwards.spansRead(), chunks);
}

TEST(ChunkStore, AFlippedByteInAPackIsRefusedNamingTheChunk) {
  Repo repo;
  ChunkIndex index(repo.dir.path() / "cache.db");
  auto data = randomBytes(3 * kSmall.average, 2);
  store(*repo.space, index, data, repo.dir.path() / "part.chunks");
  fs::path pack;
  for (const auto& e : fs::recursive_directory_iterator(repo.chunks / "packs"))
    if (e.is_regular_file()) pack = e.path();
  {
    std::fstream f(pack, std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(1000);
    char c = 0;
    f.read(&c, 1);
    f.seekp(1000);
    c = static_cast<char>(c ^ 0x20);
    f.write(&c, 1);
  }
  try {
    readBack(*repo.space, index, repo.dir.path() / "part.chunks");
    FAIL() << "a damaged pack was read";
  } catch (const volumes::RepositoryError& e) {
    EXPECT_NE(std::string(e.what()).find("is damaged"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find(pack.filename().string()), std::string::npos) << e.what();
  }
}

TEST(ChunkStore, AnUnfinishedRunLeavesNoPackAndNoIndex) {
  Repo repo;
  ChunkIndex index(repo.dir.path() / "cache.db");
  {
    ChunkStore store(*repo.space, index);
    store.put(std::string(64, 'a'), "blob", 4);
  }  // no finish(): as a run that failed
  EXPECT_EQ(filesUnder(repo.chunks), 0u);
  EXPECT_EQ(index.size(), 0u);
}

// A bucket of tiny objects makes tiny blobs: a pack is sealed at kMaxBlobsPerPack of them, however
// few bytes they are, so the entries held until a pack is sealed stay bounded.
TEST(ChunkStore, APackOfTinyBlobsIsSealedAtItsBlobCap) {
  Repo repo;
  std::vector<std::size_t> sealed;
  PackWriter packs(*repo.space,
                   [&](const std::vector<IndexEntry>& entries) { sealed.push_back(entries.size()); });
  const std::size_t cap = PackWriter::kMaxBlobsPerPack, blobs = 2 * cap + 5;
  for (std::size_t i = 0; i < blobs; ++i) {
    std::string name = std::to_string(i);
    packs.add(name, "blob" + name, 4);
    EXPECT_EQ(packs.pending(name).has_value(), i % cap != cap - 1) << i;  // sealed: no longer pending
  }
  EXPECT_EQ(sealed, (std::vector<std::size_t>{cap, cap}));
  packs.finish();
  EXPECT_EQ(sealed, (std::vector<std::size_t>{cap, cap, 5}));
  EXPECT_EQ(filesUnder(repo.chunks), 3u);
}

TEST(ChunkStore, TheRecipeWithStockToolsBringsAPartBack) {
  Repo repo;
  ChunkIndex index(repo.dir.path() / "cache.db");
  auto data = randomBytes(6 * kSmall.average, 3) + "the end\n";
  fs::path list = repo.dir.path() / "volume-app_data.tar.chunks", out = repo.dir.path() / "out";
  store(*repo.space, index, data, list, kSmall.average);
  // The recipe of volumes/chunks/FORMAT.md, as a user would type it.
  fs::path recipe = repo.dir.path() / "recipe.sh";
  std::ofstream(recipe) << "set -e\nexport LC_ALL=C\ncd '" << repo.chunks.string() << "'\n"
                        << "sort -u -k1,1 index/*.tsv > ../index.sorted\n"
                        << "awk '{print $1, NR}' '" << list.string()
                        << "' | sort -k1,1 | join - ../index.sorted |\n"
                        << "  sort -k2,2n | while read -r name n pack offset length size; do\n"
                        << "    tail -c +$((offset + 1)) \"packs/$(printf %.2s \"$pack\")/$pack\" | head -c "
                           "\"$length\" | zstd -dc\n"
                        << "  done > '" << out.string() << "'\n";
  ASSERT_EQ(std::system(("bash " + recipe.string()).c_str()), 0);
  std::ifstream in(out, std::ios::binary);
  std::string back((std::istreambuf_iterator<char>(in)), {});
  EXPECT_EQ(back.size(), data.size());
  EXPECT_TRUE(back == data);
}

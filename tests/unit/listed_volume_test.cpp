// A volume listed by agentchat-lister (issue #17): the program runs here on a directory, as it runs
// in a helper container, and its frames are assembled into a part. The tar stream it gives holds
// every kind of entry; a second listing against the first's catalog reads only what changed and
// gives the very same stream; a listing against an older catalog equals one without any; what the
// assembler reuses must be in the store; hostile frames are refused.
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include "base/tar_walker.hpp"
#include "tests/support/chunk_testing.hpp"
#include "tests/support/memory_stored.hpp"
#include "volumes/listing/archive_catalog.hpp"
#include "volumes/listing/listed_volume.hpp"

namespace fs = std::filesystem;
using namespace volumes;
using agentchat_test::MemoryReader;
using agentchat_test::MemoryWriter;
using agentchat_test::randomBytes;

extern char** environ;

namespace {

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void put(const fs::path& path, const std::string& bytes) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << bytes;
}

// The lister run over `root` with `stdinBytes`, its stdout.
std::string runLister(const fs::path& root, const std::string& stdinBytes, int* status,
                      std::string mode = "walk") {
  fs::path in = fs::temp_directory_path() / ("lister-in-" + std::to_string(::getpid()));
  fs::path out = fs::temp_directory_path() / ("lister-out-" + std::to_string(::getpid()));
  put(in, stdinBytes);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, in.c_str(), O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  std::string program = AGENTCHAT_LISTER, dir = root.string();
  char* argv[] = {program.data(), mode.data(), dir.data(), nullptr};
  pid_t pid = 0;
  EXPECT_EQ(posix_spawn(&pid, program.c_str(), &actions, nullptr, argv, environ), 0);
  posix_spawn_file_actions_destroy(&actions);
  ::waitpid(pid, status, 0);
  std::string bytes = slurp(out);
  fs::remove(in);
  fs::remove(out);
  return bytes;
}

struct Listing {
  std::string tar, chunkList, catalog, catalogSha;
  listing::ListingCounts counts;
  std::vector<std::string> marked;
  std::uint64_t newSize = 0;
};

// One backup of `root` by the lister into `store`, against `previous` (a catalog) if not empty.
Listing listOnce(const fs::path& root, agentchat_test::MemoryBlobStore& store,
                 const std::string& previous = "", std::function<bool(const base::TarEntry&)> keep = {}) {
  Listing l;
  auto keys = chunks::ChunkKeys::plain();
  PartRecord record{"volume-data.tar.zst", "volume", "app", "data", 0, 0, "", "", "chunks", 0};
  DeduplicatedPart part(std::make_unique<MemoryWriter>(&l.chunkList), store, keys, record, 3, 2);
  std::optional<listing::CatalogReader> reused, forLister;
  std::string stdinBytes;
  if (!previous.empty()) {
    reused.emplace(std::make_unique<MemoryReader>(previous));
    forLister.emplace(std::make_unique<MemoryReader>(previous));
    auto source = forLister->forLister();
    char buffer[4096];
    while (std::size_t n = source(buffer, sizeof buffer)) stdinBytes.append(buffer, n);
  }
  listing::ListingHooks hooks;
  hooks.keep = std::move(keep);
  hooks.marker = std::string("SQLite format 3\0", 16);
  hooks.marked = [&](const base::TarEntry& e) { l.marked.push_back(e.name); };
  listing::ListedVolume listed(part, reused ? &*reused : nullptr, std::make_unique<MemoryWriter>(&l.catalog),
                               std::move(hooks));
  int status = 0;
  std::string frames = runLister(root, stdinBytes, &status);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  for (std::size_t i = 0; i < frames.size(); i += 7777) listed.feed(std::string_view(frames).substr(i, 7777));
  listed.finish();
  auto done = part.finish();
  l.newSize = done.newSize;
  l.catalogSha = listed.close();
  l.counts = listed.counts();
  std::istringstream lines(l.chunkList);
  std::string name;
  std::uint64_t size;
  while (lines >> name >> size) l.tar += store.raw.at(name);
  return l;
}

struct Entry {
  char type;
  std::string content, link;
  std::uint32_t mode;
};

std::map<std::string, Entry> entriesOf(const std::string& tar) {
  std::map<std::string, Entry> out;
  std::string current;
  base::TarWalker walker(
      [&](const base::TarEntry& e) {
        current = e.name;
        out[e.name] = Entry{e.type, "", e.linkTarget, e.mode};
        return true;
      },
      [&](std::string_view data) { out[current].content.append(data); });
  walker.feed(tar);
  walker.finish();
  walker.requireEnd();
  return out;
}

class ListedVolumeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root = fs::temp_directory_path() / ("listed-volume-" + std::to_string(::getpid()));
    fs::remove_all(root);
    put(root / "big.bin", randomBytes(3 << 20, 1));  // several content frames and chunks
    put(root / "notes/a.txt", "alpha\n");
    put(root / "notes/b.txt", randomBytes(70000, 2));
    put(root / "notes/empty", "");
    put(root / "weird/tab\there%25.txt", "odd name\n");
    put(root / (std::string(120, 'd') + "/" + std::string(60, 'f')), "a long path\n");
    put(root / "app.db", std::string("SQLite format 3\0", 16) + randomBytes(4096, 3));
    put(root / "skip/cache.tmp", randomBytes(1000, 4));
    // A file capability (cap_net_bind_service) travels as Docker's archive carries it, read or reused.
    put(root / "cap.bin", "binary\n");
    const unsigned char cap[20] = {1, 0, 0, 2, 0, 4, 0, 0};
    ASSERT_EQ(::setxattr((root / "cap.bin").c_str(), "security.capability", cap, sizeof cap, 0), 0)
        << std::strerror(errno);
    fs::create_symlink("notes/a.txt", root / "link");
    fs::create_hard_link(root / "notes/b.txt", root / "hard");
  }
  void TearDown() override { fs::remove_all(root); }
  fs::path root;
};

}  // namespace

TEST_F(ListedVolumeTest, TheStreamHoldsEveryEntryAndASecondListingReadsOnlyWhatChangedGivingTheSameBytes) {
  agentchat_test::MemoryBlobStore store;
  auto first = listOnce(root, store);
  auto entries = entriesOf(first.tar);
  EXPECT_EQ(entries.at("./").type, '5');
  EXPECT_EQ(entries.at("./big.bin").content, slurp(root / "big.bin"));
  EXPECT_EQ(entries.at("./notes/").type, '5');
  EXPECT_EQ(entries.at("./notes/a.txt").content, "alpha\n");
  EXPECT_EQ(entries.at("./notes/empty").content, "");
  EXPECT_EQ(entries.at("./weird/tab\there%25.txt").content, "odd name\n");
  EXPECT_EQ(entries.at("./" + std::string(120, 'd') + "/" + std::string(60, 'f')).content, "a long path\n");
  EXPECT_EQ(entries.at("./link").type, '2');
  EXPECT_EQ(entries.at("./link").link, "notes/a.txt");
  // The first of two links carries the content, the second points at it.
  EXPECT_EQ(entries.at("./hard").type, '0');
  EXPECT_EQ(entries.at("./notes/b.txt").type, '1');
  EXPECT_EQ(entries.at("./notes/b.txt").link, "./hard");
  EXPECT_EQ(first.counts.reused, 0u);
  EXPECT_EQ(first.counts.read, 8u);
  EXPECT_EQ(first.marked, std::vector<std::string>{"./app.db"});

  // Files changed less than a second before a listing are read again by the next: wait that out.
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  auto again = listOnce(root, store, first.catalog);
  auto second = listOnce(root, store, again.catalog);
  EXPECT_EQ(second.tar, first.tar);
  EXPECT_EQ(second.newSize, 0u);
  EXPECT_EQ(second.counts.read, 1u);    // the hardlinked file: always read
  EXPECT_EQ(second.counts.reused, 7u);  // with cap.bin, whose header still carries its capability
  EXPECT_EQ(second.marked, std::vector<std::string>{"./app.db"});  // from the catalog's flag

  // Changes: one file grows, one is new, one goes. The listing against the old catalog equals a
  // listing with none, and stores only the new content.
  put(root / "notes/a.txt", "alpha\nbeta\n");
  put(root / "new.txt", "new\n");
  fs::remove(root / "notes/empty");
  auto third = listOnce(root, store, second.catalog);
  agentchat_test::MemoryBlobStore fresh;
  auto plain = listOnce(root, fresh);
  EXPECT_EQ(third.tar, plain.tar);
  EXPECT_EQ(third.counts.read, 3u);  // a.txt, new.txt and the hardlinked one
  EXPECT_EQ(third.counts.reused, 6u);
  EXPECT_EQ(entriesOf(third.tar).at("./notes/a.txt").content, "alpha\nbeta\n");
  EXPECT_FALSE(entriesOf(third.tar).count("./notes/empty"));
}

TEST_F(ListedVolumeTest, ExcludedEntriesAreLeftOutAndTheStreamStaysWhole) {
  agentchat_test::MemoryBlobStore store;
  auto listed =
      listOnce(root, store, "", [](const base::TarEntry& e) { return e.name.rfind("./skip", 0) != 0; });
  auto entries = entriesOf(listed.tar);
  EXPECT_FALSE(entries.count("./skip/"));
  EXPECT_FALSE(entries.count("./skip/cache.tmp"));
  EXPECT_TRUE(entries.count("./big.bin"));
  EXPECT_EQ(listed.counts.dropped, 2u);
}

TEST_F(ListedVolumeTest, AReusedChunkTheStoreLacksIsRefusedAndHostileFramesToo) {
  agentchat_test::MemoryBlobStore store;
  auto first = listOnce(root, store);
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  auto second = listOnce(root, store, first.catalog);
  agentchat_test::MemoryBlobStore empty;  // as after a repair dropped the chunks
  EXPECT_THROW(listOnce(root, empty, second.catalog), listing::ListingError);

  auto keys = chunks::ChunkKeys::plain();
  PartRecord record{"volume-x.tar.zst", "volume", "", "x", 0, 0, "", "", "chunks", 0};
  std::string list, catalog;
  auto hostile = [&](const std::string& frames) {
    DeduplicatedPart part(std::make_unique<MemoryWriter>(&list), store, keys, record, 3);
    listing::ListedVolume listed(part, nullptr, std::make_unique<MemoryWriter>(&catalog), {});
    listed.feed(frames);
    listed.finish();
  };
  auto frame = [](char tag, const std::string& payload) {
    std::string f(1, tag);
    for (int shift = 24; shift >= 0; shift -= 8) f.push_back(static_cast<char>(payload.size() >> shift));
    return f + payload;
  };
  std::string hello = frame('V', "agentchat-lister 1 100");
  EXPECT_THROW(hostile(frame('V', "agentchat-lister 9 1")), listing::ListingError);  // another protocol
  EXPECT_THROW(hostile(hello + frame('Q', "")), listing::ListingError);              // unknown frame
  EXPECT_THROW(hostile(hello + frame('H', "short")), listing::ListingError);         // torn header
  EXPECT_THROW(hostile(hello + frame('D', "x")), listing::ListingError);             // content of nothing
  EXPECT_THROW(hostile(hello + frame('R', std::string(8, '\0'))), listing::ListingError);  // reuse of nothing
  EXPECT_THROW(hostile(hello), listing::ListingError);                                     // no end frame
  EXPECT_THROW(hostile(hello + "Z\xff\xff\xff\xff"), listing::ListingError);               // a huge frame
}

// The first backup reads the engine's archive (here: the walk's own tar, in the same order) and
// pairs it with facts listed before; the next listing against that catalog reuses every file but
// the hardlinked one, and gives the same stream.
TEST_F(ListedVolumeTest, AnArchiveReadWithFactsListedBeforeMakesACatalogTheNextListingReuses) {
  agentchat_test::MemoryBlobStore store;
  auto walked = listOnce(root, store);
  // Files changed less than a second before a listing are read again by the next: wait that out.
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  int status = 0;
  std::string factsFile;
  listing::ListedFacts facts(std::make_unique<MemoryWriter>(&factsFile));
  facts.feed(runLister(root, "", &status, "facts"));
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  facts.finish();
  EXPECT_EQ(facts.counts().entries, 10u);  // every regular file, the empty one and both links too

  std::string list, catalogFile;
  auto keys = chunks::ChunkKeys::plain();
  PartRecord record{"volume-data.tar.zst", "volume", "app", "data", 0, 0, "", "", "chunks", 0};
  DeduplicatedPart part(std::make_unique<MemoryWriter>(&list), store, keys, record, 3, 2);
  listing::ArchiveCatalog catalog(part, std::make_unique<MemoryReader>(factsFile),
                                  std::make_unique<MemoryWriter>(&catalogFile),
                                  std::string("SQLite format 3\0", 16));
  for (std::size_t i = 0; i < walked.tar.size(); i += 10000)
    part.write(std::string_view(walked.tar).substr(i, 10000));
  part.finish();
  catalog.close();
  EXPECT_EQ(catalog.entries(), 7u);
  EXPECT_EQ(catalog.unmatched(), 1u);  // the hardlinked file

  auto next = listOnce(root, store, catalogFile);
  EXPECT_EQ(next.tar, walked.tar);
  EXPECT_EQ(next.counts.reused, 7u);
  EXPECT_EQ(next.counts.read, 1u);
  EXPECT_EQ(next.marked, std::vector<std::string>{"./app.db"});
}

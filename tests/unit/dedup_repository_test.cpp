// A local repository with a deduplicated store (issue #17): backups whose parts are chunk lists,
// read back exactly through the same checks as whole parts, an unchanged backup that adds nothing, a
// flipped byte refused naming the chunk, copies and bundles that stand alone, and prune's garbage
// collection (what a killed backup left is removed; a running backup keeps its chunks).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "tests/support/chunk_testing.hpp"
#include "tests/support/chunked_backups.hpp"
#include "tests/support/temp_dir.hpp"
#include "volumes/backup_copy.hpp"
#include "volumes/bundle.hpp"
#include "volumes/deduplicated_part.hpp"
#include "volumes/local_repository.hpp"
#include "volumes/part_check.hpp"
#include "volumes/part_reader.hpp"

namespace fs = std::filesystem;
using agentchat_test::randomBytes;
using agentchat_test::TempDir;
using testing::HasSubstr;

using agentchat_test::backUp;
using agentchat_test::expectWhole;
using agentchat_test::packsOf;
using agentchat_test::Parts;
using agentchat_test::readPart;
using agentchat_test::someParts;

TEST(DedupRepository, ABackupComesBackExactlyAndAnUnchangedOneAddsOnlyItsChunkLists) {
  TempDir dir;
  volumes::LocalRepository repository(dir.path());
  EXPECT_EQ(repository.chunkStore(), nullptr);  // whole parts until asked
  repository.deduplicate();
  auto parts = someParts(1);
  auto first = backUp(repository, "20261203T000000Z", parts);
  expectWhole(repository, "20261203T000000Z", parts);
  for (const auto& p : first.parts) {
    EXPECT_TRUE(p.chunked());
    EXPECT_EQ(p.newSize, p.size) << p.name;  // all new
    EXPECT_TRUE(fs::exists(dir.path() / "chat" / "20261203T000000Z" / (p.name + ".chunks")));
  }
  auto packs = packsOf(dir.path()).size();

  // Opened afresh (another run): the store is found, and nothing is stored again.
  volumes::LocalRepository again(dir.path());
  ASSERT_NE(again.chunkStore(), nullptr);
  auto second = backUp(again, "20261203T010000Z", parts);
  for (std::size_t i = 0; i < second.parts.size(); ++i) {
    EXPECT_EQ(second.parts[i].newSize, 0u) << second.parts[i].name;
    EXPECT_EQ(second.parts[i].size, first.parts[i].size);
    EXPECT_EQ(second.parts[i].sha256, first.parts[i].sha256);  // the same chunk list
  }
  EXPECT_EQ(packsOf(dir.path()).size(), packs);
  expectWhole(again, "20261203T010000Z", parts);

  // A changed dump adds about its changed chunk, not the whole part.
  Parts changed = parts;
  changed.dump.insert(changed.dump.size() / 2, "INSERT INTO t VALUES (42);\n");
  auto third = backUp(again, "20261203T020000Z", changed);
  EXPECT_GT(third.parts[0].newSize, 0u);
  EXPECT_LT(third.parts[0].newSize, third.parts[0].size);
  EXPECT_EQ(third.parts[1].newSize, 0u);
  expectWhole(again, "20261203T020000Z", changed);
}

TEST(DedupRepository, AFlippedByteInAPackIsFoundByVerifyAndRefusedByTheReader) {
  TempDir dir;
  volumes::LocalRepository repository(dir.path());
  repository.deduplicate();
  auto parts = someParts(2);
  auto manifest = backUp(repository, "20261203T000000Z", parts);
  // One byte in the middle of the blob of each part's second chunk.
  for (const auto& part : manifest.parts) {
    std::ifstream list(dir.path() / "chat" / manifest.id / part.storedName());
    std::string line;
    std::getline(list, line);
    std::getline(list, line);
    std::string name = line.substr(0, line.find(' '));
    for (const auto& index : fs::directory_iterator(dir.path() / ".chunks" / "index")) {
      std::ifstream in(index.path());
      while (std::getline(in, line)) {
        auto entry = volumes::chunks::parseIndexLine(line);
        if (!entry || entry->name != name) continue;
        fs::path pack = dir.path() / ".chunks" / "packs" / entry->at.pack.substr(0, 2) / entry->at.pack;
        std::fstream f(pack, std::ios::in | std::ios::out | std::ios::binary);
        f.seekg(static_cast<std::streamoff>(entry->at.offset + entry->at.length / 2));
        char c = static_cast<char>(f.get());
        f.seekp(static_cast<std::streamoff>(entry->at.offset + entry->at.length / 2));
        f.put(static_cast<char>(c ^ 0x20));
      }
    }
  }
  for (const auto& part : manifest.parts) {
    auto check = volumes::checkPart({&repository, "chat", manifest.id}, part);
    EXPECT_FALSE(check.ok) << part.name;
    EXPECT_THAT(check.problem, HasSubstr("damaged"));
    EXPECT_THAT(check.problem, HasSubstr("packs/"));
  }
  EXPECT_THROW(readPart(repository, manifest.id, manifest.parts[0]), volumes::RepositoryError);

  // An edited chunk list is refused by its sha256 even when every chunk it names is sound.
  TempDir other;
  volumes::LocalRepository fresh(other.path());
  fresh.deduplicate();
  auto good = backUp(fresh, "20261203T000000Z", parts);
  fs::path list = other.path() / "chat" / good.id / "volume-data.tar.zst.chunks";
  std::string text;
  {
    std::ifstream in(list);
    std::getline(in, text);  // keep the first chunk only
  }
  fs::permissions(list, fs::perms::owner_write, fs::perm_options::add);
  std::ofstream(list, std::ios::trunc) << text << "\n";
  auto check = volumes::checkPart({&fresh, "chat", good.id}, good.parts[1]);
  EXPECT_FALSE(check.ok);
  EXPECT_THAT(check.problem, HasSubstr("chunk list changed"));
}

TEST(DedupRepository, CopiesAndBundlesStandAloneAndACopyIntoAStoreAddsOnlyWhatItLacks) {
  TempDir dir, plainDir, dedupDir, importDir;
  volumes::LocalRepository repository(dir.path());
  repository.deduplicate();
  auto parts = someParts(3);
  backUp(repository, "20261203T000000Z", parts);
  backUp(repository, "20261203T010000Z", parts);

  // Into a repository of whole parts: each chunked part becomes one .zst file a stock zstd reads.
  volumes::LocalRepository plain(plainDir.path());
  volumes::copyBackup(repository, plain, "chat", "20261203T000000Z");
  auto copied = plain.read("chat", "20261203T000000Z");
  for (const auto& p : copied.parts) {
    EXPECT_FALSE(p.chunked());
    EXPECT_TRUE(fs::exists(plainDir.path() / "chat" / copied.id / p.name));
  }
  expectWhole(plain, copied.id, parts);

  // Into another store: the second backup's copy finds every chunk there already.
  volumes::LocalRepository dedup(dedupDir.path());
  dedup.deduplicate();
  volumes::copyBackup(repository, dedup, "chat", "20261203T000000Z");
  auto second = volumes::copyBackup(repository, dedup, "chat", "20261203T010000Z");
  EXPECT_EQ(second.bytes, 0u);  // new chunk bytes
  for (const auto& p : dedup.read("chat", "20261203T010000Z").parts) EXPECT_TRUE(p.chunked());
  expectWhole(dedup, "20261203T010000Z", parts);

  // Converting: the whole parts of the plain repository's copy arrive as chunks in a store that has
  // every chunk already (and a changed stored byte would be refused on the way).
  TempDir convertedDir;
  volumes::LocalRepository converted(convertedDir.path());
  converted.deduplicate();
  volumes::copyBackup(repository, converted, "chat", "20261203T010000Z");
  auto conversion = volumes::copyBackup(plain, converted, "chat", "20261203T000000Z");
  EXPECT_EQ(conversion.bytes, 0u);
  for (const auto& p : converted.read("chat", "20261203T000000Z").parts) EXPECT_TRUE(p.chunked());
  expectWhole(converted, "20261203T000000Z", parts);
  {
    fs::path file = plainDir.path() / "chat" / "20261203T000000Z" / "mysql.sql.zst";
    fs::permissions(file, fs::perms::owner_write, fs::perm_options::add);
    std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(fs::file_size(file) - 1));
    f.put('\0');  // the last byte of the zstd frame's checksum... or of its content
  }
  TempDir refusedDir;
  volumes::LocalRepository refused(refusedDir.path());
  refused.deduplicate();
  EXPECT_THROW(volumes::copyBackup(plain, refused, "chat", "20261203T000000Z"), std::exception);
  EXPECT_TRUE(refused.list("chat").empty());

  // A bundle: the parts as .zst files, imported where no store is.
  std::string bundle;
  volumes::writeBundle(repository, "chat", "20261203T010000Z", [&](std::string_view b) { bundle += b; });
  volumes::LocalRepository imported(importDir.path());
  volumes::importBundle(imported, base::bytesSource(bundle));
  expectWhole(imported, "20261203T010000Z", parts);
}

TEST(DedupRepository, GarbageCollectionFreesWhatNoBackupNamesAndWaitsForARunningBackup) {
  TempDir dir;
  volumes::LocalRepository repository(dir.path());
  repository.deduplicate();
  auto older = someParts(4), newer = someParts(5);
  backUp(repository, "20261203T000000Z", older);
  backUp(repository, "20261203T010000Z", newer);
  // A killed backup: its chunks are in sealed packs (more than one 16 MiB pack's worth), its
  // manifest never written.
  Parts big = someParts(6);
  big.dump += randomBytes(16 << 20, 60);
  backUp(repository, "20261203T020000Z", big, /*commit=*/false);
  // And a pack sealed by a run killed before it wrote the pack's index file.
  fs::path orphan = dir.path() / ".chunks" / "packs" / "ab" / std::string(64, 'a');
  fs::create_directories(orphan.parent_path());
  std::ofstream(orphan) << "blob";

  // A backup running meanwhile holds the store: nothing is collected under it.
  {
    auto staging = repository.begin("other", "20261203T030000Z");
    EXPECT_THROW(repository.collectGarbage(), volumes::RepositoryError);
  }
  auto before = packsOf(dir.path()).size();
  auto freed = repository.collectGarbage();
  EXPECT_GT(freed.packsDeleted, 0u);  // the killed backup's
  EXPECT_FALSE(fs::exists(orphan));
  EXPECT_LT(packsOf(dir.path()).size(), before);
  expectWhole(repository, "20261203T000000Z", older);

  repository.remove("chat", "20261203T000000Z");
  freed = repository.collectGarbage();
  EXPECT_GT(freed.packsDeleted, 0u);
  EXPECT_GE(freed.bytesFreed,
            (older.dump.size() + older.volume.size()) / 2);  // random data barely compresses
  expectWhole(repository, "20261203T010000Z", newer);

  // The cache learns that packs are gone: a new backup of the deleted data stores it again.
  volumes::LocalRepository again(dir.path());
  auto back = backUp(again, "20261203T040000Z", older);
  for (const auto& p : back.parts) EXPECT_GT(p.newSize, p.size * 3 / 4) << p.name;  // tar headers are shared
  expectWhole(again, "20261203T040000Z", older);
}

TEST(DedupRepository, ACacheThatOutlivedItsPacksIsReadAgainNotTrusted) {
  TempDir dir;
  auto parts = someParts(7);
  {
    volumes::LocalRepository repository(dir.path());
    repository.deduplicate();
    backUp(repository, "20261203T000000Z", parts);
  }
  // The repository put back from an older copy: the packs and index files are gone, the cache stayed.
  fs::remove_all(dir.path() / "chat");
  fs::remove_all(dir.path() / ".chunks" / "packs");
  fs::remove_all(dir.path() / ".chunks" / "index");
  volumes::LocalRepository repository(dir.path());
  auto again = backUp(repository, "20261203T010000Z", parts);
  for (const auto& p : again.parts) EXPECT_EQ(p.newSize, p.size) << p.name;
  expectWhole(repository, "20261203T010000Z", parts);
}

TEST(DedupRepository, CheckFindsLostChunksNamesTheBackupsAndRepairLetsTheNextBackupStoreThemAgain) {
  TempDir dir;
  volumes::LocalRepository repository(dir.path());
  repository.deduplicate();
  auto parts = someParts(8);
  backUp(repository, "20261203T000000Z", parts);
  auto sound = repository.check(false);
  EXPECT_TRUE(sound.store.problems.empty());
  EXPECT_TRUE(sound.damagedBackups.empty());
  EXPECT_GT(sound.store.chunks, 5u);
  EXPECT_EQ(sound.store.packs, packsOf(dir.path()).size());

  // One byte of the only pack flipped: its chunk is lost, and so is the backup that names it.
  auto packs = packsOf(dir.path());
  ASSERT_EQ(packs.size(), 1u);
  {
    std::fstream f(packs[0], std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(100);
    char c = static_cast<char>(f.get());
    f.seekp(100);
    f.put(static_cast<char>(c ^ 0x04));
  }
  auto broken = repository.check(false);
  EXPECT_EQ(broken.store.lost.size(), 1u);
  EXPECT_THAT(testing::PrintToString(broken.store.problems), HasSubstr("does not match its name"));
  EXPECT_THAT(testing::PrintToString(broken.store.problems), HasSubstr("is damaged"));
  ASSERT_EQ(broken.damagedBackups.size(), 1u);
  EXPECT_THAT(broken.damagedBackups[0], HasSubstr("chat/20261203T000000Z: mysql.sql.zst (1 chunks)"));
  EXPECT_FALSE(broken.store.repaired);

  // Repaired: the index forgets the chunk; a backup of the same data stores it again, and is whole.
  auto repaired = repository.check(true);
  EXPECT_TRUE(repaired.store.repaired);
  EXPECT_EQ(repaired.damagedBackups.size(), 1u);  // the old backup stays damaged: verify says so
  auto again = backUp(repository, "20261203T010000Z", parts);
  EXPECT_GT(again.parts[0].newSize, 0u);
  EXPECT_EQ(again.parts[1].newSize, 0u);
  expectWhole(repository, "20261203T010000Z", parts);
  // Chunks are named by their bytes: the old backup is whole again.
  expectWhole(repository, "20261203T000000Z", parts);
  auto after = repository.check(false);
  EXPECT_TRUE(after.damagedBackups.empty());
  EXPECT_TRUE(after.store.problems.empty()) << testing::PrintToString(after.store.problems);
}

// Found in review: a repair that rewrites a pack's sound chunks in their order makes the same bytes
// under the same name, which must stay; and an index file that names another pack than its own is
// damage that deletes nothing.
TEST(DedupRepository, RepairKeepsAPackItWroteAgainAndAnIndexNamingAnotherPackDeletesNothing) {
  TempDir dir;
  volumes::LocalRepository repository(dir.path());
  repository.deduplicate();
  auto parts = someParts(9);
  backUp(repository, "20261203T000000Z", parts);
  auto packs = packsOf(dir.path());
  ASSERT_EQ(packs.size(), 1u);
  // Bytes after the last blob: the pack no longer matches its name, every chunk still opens.
  std::ofstream(packs[0], std::ios::app | std::ios::binary) << "trailing garbage";
  auto broken = repository.check(false);
  EXPECT_THAT(testing::PrintToString(broken.store.problems), HasSubstr("does not match its name"));
  EXPECT_TRUE(broken.store.lost.empty());
  auto repaired = repository.check(true);
  EXPECT_TRUE(repaired.store.repaired);
  ASSERT_EQ(packsOf(dir.path()).size(), 1u) << "the rewritten pack was deleted";
  EXPECT_TRUE(fs::exists(dir.path() / ".chunks" / "index" / (packs[0].filename().string() + ".tsv")));
  expectWhole(repository, "20261203T000000Z", parts);
  auto after = repository.check(false);
  EXPECT_TRUE(after.store.problems.empty()) << testing::PrintToString(after.store.problems);

  // An index file whose lines name another pack: prune's collection refuses, and deletes nothing.
  fs::path index = dir.path() / ".chunks" / "index" / (packs[0].filename().string() + ".tsv");
  std::string text;
  {
    std::ifstream in(index);
    text.assign(std::istreambuf_iterator<char>(in), {});
  }
  std::string stranger(64, 'b');
  std::ofstream(dir.path() / ".chunks" / "index" / (stranger + ".tsv")) << text;
  repository.remove("chat", "20261203T000000Z");
  EXPECT_THROW(repository.collectGarbage(), volumes::RepositoryError);
  EXPECT_TRUE(fs::exists(packs[0]));
  EXPECT_TRUE(fs::exists(index));
}

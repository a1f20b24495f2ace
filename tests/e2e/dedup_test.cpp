// The deduplicated repository on a real stack (issue #17): `backup --dedup` keeps every part as
// chunks, the next backup of the unchanged stack adds almost nothing, verify and restore read the
// stack back from the chunks (down -v, up, restore: identical data), prune collects what no backup
// names, and a flipped byte in a pack is found by verify and check and refused by restore before
// anything changes; check --repair and the next backup mend it.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "e2e_support.hpp"
#include "restore_stack.hpp"

namespace fs = std::filesystem;
using nlohmann::json;
using ::testing::HasSubstr;

namespace {

json listed(const e2e::RestoreStack& stack, const std::string& id) {
  for (const auto& row : json::parse(stack.plugin({"list", "--json"}).out))
    if (row["id"] == id) return row;
  ADD_FAILURE() << "backup " << id << " is not listed";
  return json::object();
}

}  // namespace

TEST(Dedup, AnUnchangedStacksSecondBackupAddsAlmostNothingAndItsChunksBringTheStackBack) {
  REQUIRE_ENGINE(engine);
  e2e::RestoreStack stack(engine, {"docker-compose.prod.yml"});
  ASSERT_TRUE(stack.up()) << stack.upOutput();
  // Files worth deduplicating in a named volume: 24 MiB of random bytes and some text.
  stack.sh("backend",
           "head -c 25165824 /dev/urandom > /app/data/big.bin && seq 1 300000 > /app/data/lines.txt");
  // A file changed within a second of a listing is read again by the next backup (LISTING.md).
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  std::string first = stack.seedAndBackUp({"--dedup"});
  ASSERT_FALSE(first.empty());
  json manifest = json::parse(std::ifstream(stack.repo() / stack.project() / first / "manifest.json"));
  for (const auto& part : manifest["parts"]) EXPECT_EQ(part.value("storage", ""), "chunks") << part.dump();
  // The volume went through the lister, which wrote its catalog.
  const std::string volumePart = "volume-app_data.tar.zst";
  ASSERT_TRUE(manifest["details"]["listing"].contains(volumePart)) << manifest["details"].dump();
  EXPECT_TRUE(fs::exists(stack.repo() / stack.project() / first / (volumePart + ".catalog")));
  // One changed file: the next backup reads it and reuses the first's chunks of the rest.
  stack.sh("backend", "echo 300001 >> /app/data/lines.txt");
  auto before = stack.fingerprint();

  // The store is used from now on without the flag; the unchanged stack costs a few chunks (the
  // dump's and the RDB's timestamps, the logs) and the chunk lists.
  auto again = stack.plugin({"backup", "--json"});
  ASSERT_EQ(again.exitCode, 0) << again.err;
  std::string second = json::parse(again.out)["id"].get<std::string>();
  auto firstRow = listed(stack, first), secondRow = listed(stack, second);
  EXPECT_GT(firstRow["size"].get<std::uint64_t>(), 24u << 20);
  EXPECT_EQ(firstRow["newSize"], firstRow["size"]);
  EXPECT_LT(secondRow["newSize"].get<std::uint64_t>(), firstRow["size"].get<std::uint64_t>() / 20)
      << secondRow.dump();
  json listing = json::parse(std::ifstream(stack.repo() / stack.project() / second /
                                           "manifest.json"))["details"]["listing"][volumePart];
  EXPECT_EQ(listing["previous"], first) << listing.dump();
  EXPECT_GE(listing["reusedBytes"].get<std::uint64_t>(), 25165824u)
      << listing.dump();                                                             // big.bin, not fetched
  EXPECT_LT(listing["readBytes"].get<std::uint64_t>(), 4u << 20) << listing.dump();  // lines.txt and a few
  auto verify = stack.plugin({"verify", second});
  EXPECT_EQ(verify.exitCode, 0) << verify.out << verify.err;

  // Everything goes; the stack comes back from the chunks.
  ASSERT_EQ(stack.compose({"down", "-v"}).exitCode, 0);
  ASSERT_EQ(stack.compose({"up", "-d"}).exitCode, 0);
  ASSERT_TRUE(stack.waitReady());
  ASSERT_NE(stack.fingerprint(), before);
  auto restore = stack.plugin({"restore", second, "--yes"});
  ASSERT_EQ(restore.exitCode, 0) << restore.err;
  EXPECT_TRUE(stack.allRunning());
  e2e::expectSameData(before, stack.fingerprint());

  // Prune: the first backup goes, its chunks that nothing else names with it; the rest still verify.
  auto prune = stack.plugin({"prune", "--keep-last", "2"});
  ASSERT_EQ(prune.exitCode, 0) << prune.err;
  EXPECT_THAT(prune.out, HasSubstr("delete  " + first));
  EXPECT_THAT(prune.out, HasSubstr("chunks: "));
  verify = stack.plugin({"verify", second});
  EXPECT_EQ(verify.exitCode, 0) << verify.out << verify.err;

  // A flipped byte in the largest chunk of the volume's (24 MiB of random bytes: data the stack still
  // has): found by verify and check, refused by restore; check --repair and the next backup mend it.
  fs::path backupDir = stack.repo() / stack.project() / second;
  std::string victim;
  std::uint64_t largest = 0;
  for (const auto& e : fs::directory_iterator(backupDir)) {
    if (e.path().filename().string().rfind("volume-", 0) != 0 || e.path().extension() != ".chunks") continue;
    std::ifstream list(e.path());
    std::string name;
    std::uint64_t size;
    while (list >> name >> size)
      if (size > largest) largest = size, victim = name;
  }
  ASSERT_FALSE(victim.empty());
  bool flipped = false;
  for (const auto& index : fs::directory_iterator(stack.repo() / ".chunks" / "index")) {
    std::ifstream in(index.path());
    std::string name, pack;
    std::uint64_t offset, length, size;
    while (in >> name >> pack >> offset >> length >> size) {
      if (name != victim || flipped) continue;
      fs::path file = stack.repo() / ".chunks" / "packs" / pack.substr(0, 2) / pack;
      std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
      f.seekg(static_cast<std::streamoff>(offset + length / 2));
      char c = static_cast<char>(f.get());
      f.seekp(static_cast<std::streamoff>(offset + length / 2));
      f.put(static_cast<char>(c ^ 0x01));
      flipped = true;
    }
  }
  ASSERT_TRUE(flipped);
  verify = stack.plugin({"verify", second});
  EXPECT_NE(verify.exitCode, 0);
  EXPECT_THAT(verify.out + verify.err, HasSubstr("damaged"));
  auto refused = stack.plugin({"restore", second, "--yes"});
  EXPECT_EQ(refused.exitCode, 1) << refused.err;
  EXPECT_THAT(refused.err, HasSubstr("damaged"));
  EXPECT_THAT(refused.err, HasSubstr("Nothing was restored"));
  e2e::expectSameData(before, stack.fingerprint());

  auto check = stack.plugin({"check"});
  EXPECT_EQ(check.exitCode, 1) << check.out << check.err;
  EXPECT_THAT(check.out, HasSubstr("DAMAGED  " + stack.project() + "/" + second));
  auto repair = stack.plugin({"check", "--repair"});
  EXPECT_THAT(repair.out, HasSubstr("repaired"));
  auto mend = stack.plugin({"backup"});
  ASSERT_EQ(mend.exitCode, 0) << mend.err;
  verify = stack.plugin({"verify", second});
  EXPECT_EQ(verify.exitCode, 0) << verify.out << verify.err;
  check = stack.plugin({"check"});
  EXPECT_EQ(check.exitCode, 0) << check.out << check.err;
}

// The deduplicated store on an S3 repository (issue #17 on a bucket), against s3rver and the real
// stack: a new s3:// repository keeps its backups as chunks in PREFIX/.chunks/ (packs and an index
// object per pack, `PART.chunks` beside the manifest); the next backup adds almost nothing, and the
// next one of an unchanged volume writes no pack and makes a handful of requests (counted in
// s3rver's request log); the stack comes back from the bucket's chunks; a flipped byte in a pack
// object is found by verify and refused by restore; prune collects the packs of the backup it
// deletes and check reads every pack. And --no-dedup / --dedup on a new
// prefix. (Kill -9 and an encrypted store in a bucket: s3_dedup_safety_test.cpp.)

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "s3_dedup_fixture.hpp"

namespace fs = std::filesystem;
using nlohmann::json;
using ::testing::HasSubstr;
using namespace s3dedup;

TEST_F(S3Dedup, ANewBucketKeepsChunksTheNextBackupsAddAlmostNothingInFewRequestsAndPruneCollects) {
  REQUIRE_ENGINE(engine);
  REQUIRE_S3RVER(server_);
  e2e::RestoreStack stack(engine, {"docker-compose.prod.yml", "docker-compose.secrets.yml"});
  ASSERT_TRUE(stack.up()) << stack.upOutput();
  stack.seed();
  // keep.bin stays; gone.bin is deleted before the second backup, so only the first names its
  // chunks (prune's garbage). The volume keeps 57 % of its bytes: the second backup passes the
  // sanity check (50 %), which prune's "newest sane" would otherwise pin on the first.
  stack.sh("backend",
           "head -c 27262976 /dev/urandom > /app/data/keep.bin && head -c 20971520 /dev/urandom > "
           "/app/data/gone.bin && seq 1 300000 > /app/data/lines.txt");
  // A file changed within a second of a listing is read again by the next backup (LISTING.md).
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));

  // 1. The first backup into the new prefix gets the store by default.
  auto backup = s3(stack, {"backup", "--json"});
  ASSERT_EQ(backup.exitCode, 0) << backup.err;
  const std::string first = json::parse(backup.out)["id"];
  EXPECT_THAT(backup.err, HasSubstr("is a new repository: its backups are kept as deduplicated chunks"));
  EXPECT_TRUE(exists("dedup/.chunks/config.json"));
  EXPECT_FALSE(exists("dedup/.chunks/key.age"));  // not encrypted
  expectChunkedParts("dedup", stack.project(), first);
  Store afterFirst = store();
  expectOneIndexPerPack(afterFirst);
  ASSERT_FALSE(afterFirst.packs.empty());
  std::uint64_t firstBytes = afterFirst.packBytes();
  std::cout << "first backup: " << afterFirst.packs.size() << " pack objects, " << firstBytes << " bytes\n";
  EXPECT_GE(firstBytes, 40 * kMiB);  // 46 MiB of random bytes, which zstd cannot shrink

  // 2. The second backup: one file fewer, everything else unchanged. It adds the dump's and the
  // RDB's changed chunks and the chunk lists, and reads no pack.
  stack.sh("backend", "rm /app/data/gone.bin");
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  auto before = stack.fingerprint();
  std::vector<Request> requests;
  auto again = s3Counted(stack, {"backup", "--json"}, requests);
  ASSERT_EQ(again.exitCode, 0) << again.err;
  const std::string second = json::parse(again.out)["id"];
  expectChunkedParts("dedup", stack.project(), second);
  Store afterSecond = store();
  expectOneIndexPerPack(afterSecond);
  std::uint64_t added = afterSecond.packBytes() - firstBytes;
  Tally counted = tally(requests);
  print("second backup", counted, true);
  std::cout << "second backup added " << afterSecond.packs.size() - afterFirst.packs.size()
            << " pack objects, " << added << " bytes\n";
  EXPECT_LE(added, firstBytes / 100 + 2 * kMiB) << "the second backup stored its data again";
  EXPECT_EQ(counted.packReads, 0u) << counted.lines;
  EXPECT_LE(counted.volumePart, 10u) << counted.lines;
  // The volume went through the lister against the first backup's catalog: keep.bin was not read.
  json details = manifest("dedup", stack.project(), second)["details"];
  ASSERT_TRUE(details["listing"].contains(kVolumePart)) << details.dump();
  json listing = details["listing"][kVolumePart];
  EXPECT_EQ(listing.value("previous", ""), first) << listing.dump();
  EXPECT_GE(listing.value("reusedBytes", std::uint64_t{0}), 27262976u) << listing.dump();  // keep.bin

  // 3. A backup of the unchanged volume writes no pack at all, reads none, and makes a handful of
  // requests for the store and the part.
  auto third = s3Counted(stack, {"backup", "--json", "--only", "volumes"}, requests);
  ASSERT_EQ(third.exitCode, 0) << third.err;
  const std::string thirdId = json::parse(third.out)["id"];
  counted = tally(requests);
  print("unchanged volume's backup", counted, true);
  EXPECT_EQ(counted.packWrites, 0u) << counted.lines;
  EXPECT_EQ(counted.packReads, 0u) << counted.lines;
  EXPECT_EQ(counted.indexWrites, 0u) << counted.lines;
  EXPECT_LE(counted.store, 10u) << counted.lines;
  EXPECT_EQ(store().packBytes(), afterSecond.packBytes());

  // 4. The volumes are destroyed; the stack comes back from the bucket's chunks.
  ASSERT_EQ(stack.compose({"down", "-v"}).exitCode, 0);
  ASSERT_EQ(stack.compose({"up", "-d"}).exitCode, 0);
  ASSERT_TRUE(stack.waitReady());
  ASSERT_NE(stack.fingerprint(), before);
  auto restore = s3(stack, {"restore", second, "--yes", "--no-safety-snapshot"});
  ASSERT_EQ(restore.exitCode, 0) << restore.err;
  EXPECT_TRUE(stack.allRunning());
  e2e::expectSameData(before, stack.fingerprint());

  // 5. A flipped byte in a pack object, in the largest chunk of the volume (keep.bin's): verify
  // says so, restore refuses before anything changes; the pack put back, verify passes.
  std::string victim;
  std::uint64_t largest = 0;
  {
    auto list = client().getSmallObject(
        "dedup/" + stack.project() + "/" + second + "/" + kVolumePart + ".chunks", 64 * kMiB);
    ASSERT_TRUE(list.has_value());
    std::istringstream in(*list);
    std::string name;
    std::uint64_t size;
    while (in >> name >> size)
      if (size > largest) largest = size, victim = name;
  }
  ASSERT_FALSE(victim.empty());
  std::string packKey, original;
  std::uint64_t at = 0;
  for (const auto& index : objects("dedup/.chunks/index/")) {
    auto text = client().getSmallObject(index.key, 64 * kMiB);
    ASSERT_TRUE(text.has_value()) << index.key;
    std::istringstream in(*text);
    std::string name, pack;
    std::uint64_t offset, length, size;
    while (packKey.empty() && in >> name >> pack >> offset >> length >> size) {
      if (name != victim) continue;
      packKey = "dedup/.chunks/packs/" + pack.substr(0, 2) + "/" + pack;
      at = offset + length / 2;
    }
    if (!packKey.empty()) break;
  }
  ASSERT_FALSE(packKey.empty()) << "no index object names chunk " << victim;
  client().getObject(packKey, [&](std::string_view bytes) { original.append(bytes); });
  ASSERT_LT(at, original.size());
  std::string damaged = original;
  damaged[at] = static_cast<char>(damaged[at] ^ 0x01);
  client().putObject(packKey, damaged);
  auto verify = s3(stack, {"verify", second});
  EXPECT_EQ(verify.exitCode, 1) << verify.out << verify.err;
  EXPECT_THAT(verify.out + verify.err, HasSubstr("is damaged"));
  auto refused = s3(stack, {"restore", second, "--yes", "--no-safety-snapshot"});
  EXPECT_EQ(refused.exitCode, 1) << refused.out << refused.err;
  EXPECT_THAT(refused.err, HasSubstr("Nothing was restored"));
  e2e::expectSameData(before, stack.fingerprint());
  client().putObject(packKey, original);
  verify = s3(stack, {"verify", second});
  EXPECT_EQ(verify.exitCode, 0) << verify.out << verify.err;  // and `second` is the newest verified

  // 6. Prune keeps the newest (the third) and the newest verified (the second): the first goes,
  // and with it the packs mostly of gone.bin's chunks, pack and index object alike.
  auto prune = s3(stack, {"prune", "--keep-last", "1"});
  ASSERT_EQ(prune.exitCode, 0) << prune.out << prune.err;
  std::cout << prune.out;
  EXPECT_THAT(prune.out, HasSubstr("delete  " + first));
  EXPECT_THAT(prune.out, ::testing::Not(HasSubstr("delete  " + second)));
  EXPECT_THAT(prune.out, HasSubstr(" freed"));
  std::smatch deleted;
  ASSERT_TRUE(std::regex_search(prune.out, deleted, std::regex(R"(chunks: (\d+) pack\(s\) deleted)")))
      << prune.out;
  EXPECT_GE(std::stoul(deleted[1].str()), 1u) << prune.out;
  EXPECT_TRUE(objects("dedup/" + stack.project() + "/" + first + "/").empty()) << first << " left objects";
  Store afterPrune = store();
  expectOneIndexPerPack(afterPrune);
  std::cout << "prune: " << afterSecond.packs.size() << " -> " << afterPrune.packs.size() << " pack objects, "
            << afterSecond.packBytes() << " -> " << afterPrune.packBytes() << " bytes\n";
  EXPECT_LE(afterPrune.packBytes() + 8 * kMiB, afterSecond.packBytes())
      << "gone.bin's 20 MiB were not collected";
  verify = s3(stack, {"verify", second});
  EXPECT_EQ(verify.exitCode, 0) << verify.out << verify.err;
  verify = s3(stack, {"verify", thirdId});
  EXPECT_EQ(verify.exitCode, 0) << verify.out << verify.err;

  // 7. check reads every pack of the store.
  auto check = s3Counted(stack, {"check"}, requests);
  EXPECT_EQ(check.exitCode, 0) << check.out << check.err;
  counted = tally(requests);
  print("check", counted);
  for (const auto& [pack, size] : afterPrune.packs) {
    bool read = std::any_of(requests.begin(), requests.end(), [&](const Request& r) {
      return r.method == "GET" && r.path.find(pack) != std::string::npos && r.onPack();
    });
    EXPECT_TRUE(read) << "check did not read pack " << pack;
  }
}

// --no-dedup keeps whole parts in a new S3 repository (no store made), and --dedup later gives that
// repository its store: the next backup's parts are chunk lists.
TEST_F(S3Dedup, NoDedupKeepsWholePartsAndDedupGivesTheBucketAStore) {
  REQUIRE_ENGINE(engine);
  REQUIRE_S3RVER(server_);
  e2e::RestoreStack stack(engine, {"docker-compose.prod.yml", "docker-compose.secrets.yml"});
  ASSERT_TRUE(stack.up()) << stack.upOutput();

  auto whole = s3(stack, {"backup", "--json", "--no-dedup", "--only", "config"}, "whole");
  ASSERT_EQ(whole.exitCode, 0) << whole.err;
  const std::string id = json::parse(whole.out)["id"];
  EXPECT_TRUE(objects("whole/.chunks/").empty()) << "--no-dedup made a store";
  json m = manifest("whole", stack.project(), id);
  ASSERT_FALSE(m["parts"].empty()) << m.dump();
  for (const auto& part : m["parts"]) {
    std::string key = "whole/" + stack.project() + "/" + id + "/" + part["name"].get<std::string>();
    EXPECT_NE(part.value("storage", ""), "chunks") << part.dump();
    EXPECT_TRUE(exists(key)) << key;
    EXPECT_FALSE(exists(key + ".chunks")) << key;
  }
  // A repository that holds backups of whole parts stays so without --dedup.
  auto plain = s3(stack, {"backup", "--json", "--only", "config"}, "whole");
  ASSERT_EQ(plain.exitCode, 0) << plain.err;
  EXPECT_TRUE(objects("whole/.chunks/").empty()) << plain.err;

  auto dedup = s3(stack, {"backup", "--json", "--dedup", "--only", "config"}, "whole");
  ASSERT_EQ(dedup.exitCode, 0) << dedup.err;
  const std::string chunked = json::parse(dedup.out)["id"];
  EXPECT_TRUE(exists("whole/.chunks/config.json"));
  expectChunkedParts("whole", stack.project(), chunked);
  // Both kinds read back.
  for (const auto& backupId : {id, chunked}) {
    auto verify = s3(stack, {"verify", backupId}, "whole");
    EXPECT_EQ(verify.exitCode, 0) << backupId << ": " << verify.out << verify.err;
  }
}

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

namespace {

std::string fileText(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// The first file of `root` (recursively) that holds `text`, or "".
std::string fileHolding(const fs::path& root, const std::string& text) {
  for (const auto& e : fs::recursive_directory_iterator(root))
    if (e.is_regular_file() && fileText(e.path()).find(text) != std::string::npos) return e.path().string();
  return "";
}

}  // namespace

// An encrypted deduplicated store: `backup --dedup --passphrase-file` seals every chunk and the
// volume's catalog to a repository key in .chunks/key.age (one scrypt per command, none per chunk),
// the next backup opens its catalog and reads only the changed file, nothing in the repository holds
// plaintext, every reader wants the key, a backup encrypted otherwise keeps whole age files, and the
// stack comes back from the sealed chunks.
TEST(Dedup, AnEncryptedStoreSealsEveryChunkAndStillReadsOnlyWhatChanged) {
  REQUIRE_ENGINE(engine);
  e2e::RestoreStack stack(engine, {"docker-compose.prod.yml"});
  ASSERT_TRUE(stack.up()) << stack.upOutput();
  fs::path keys = stack.repo().parent_path() / "keys";
  fs::create_directories(keys);
  std::ofstream(keys / "passphrase") << "a long passphrase for the chunks\n";
  const std::string passphrase = (keys / "passphrase").string();
  ASSERT_EQ(e2e::runProcess({"age-keygen", "-o", (keys / "key.txt").string()}).exitCode, 0);
  std::string publicKey = e2e::runProcess({"age-keygen", "-y", (keys / "key.txt").string()}).out;
  while (!publicKey.empty() && publicKey.back() == '\n') publicKey.pop_back();
  stack.sh(
      "backend",
      "head -c 25165824 /dev/urandom > /app/data/big.bin && seq 1 300000 > /app/data/lines-in-the-clear.txt");
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));

  std::string first = stack.seedAndBackUp({"--dedup", "--passphrase-file", passphrase});
  ASSERT_FALSE(first.empty());
  json manifest = json::parse(std::ifstream(stack.repo() / stack.project() / first / "manifest.json"));
  EXPECT_TRUE(manifest["encryption"]["passphrase"].get<bool>());
  for (const auto& part : manifest["parts"]) {
    EXPECT_EQ(part.value("storage", ""), "chunks") << part.dump();
    EXPECT_FALSE(part["name"].get<std::string>().ends_with(".age")) << part.dump();
  }
  EXPECT_TRUE(fs::exists(stack.repo() / ".chunks" / "key.age"));
  // No plaintext in the repository: not the dump's text, not a file name of the volume (the catalog).
  EXPECT_EQ(fileHolding(stack.repo(), "-- Dump completed"), "");
  EXPECT_EQ(fileHolding(stack.repo(), "lines-in-the-clear"), "");
  stack.sh("backend", "echo 300001 >> /app/data/lines-in-the-clear.txt");
  auto before = stack.fingerprint();

  // The next backup opens the key with the passphrase, reads the sealed catalog and skips big.bin.
  auto again = stack.plugin({"backup", "--json", "--passphrase-file", passphrase});
  ASSERT_EQ(again.exitCode, 0) << again.err;
  std::string second = json::parse(again.out)["id"].get<std::string>();
  json secondManifest = json::parse(std::ifstream(stack.repo() / stack.project() / second / "manifest.json"));
  json listing = secondManifest["details"]["listing"]["volume-app_data.tar.zst"];
  EXPECT_EQ(listing["previous"], first) << listing.dump();
  EXPECT_GE(listing["reusedBytes"].get<std::uint64_t>(), 25165824u) << listing.dump();
  auto secondRow = listed(stack, second), firstRow = listed(stack, first);
  EXPECT_LT(secondRow["newSize"].get<std::uint64_t>(), firstRow["size"].get<std::uint64_t>() / 20)
      << secondRow.dump();

  // Every reader wants the key; the passphrase opens it.
  auto locked = stack.plugin({"verify", second});
  EXPECT_EQ(locked.exitCode, 2) << locked.out << locked.err;
  EXPECT_THAT(locked.err, HasSubstr("--passphrase-file"));
  auto verify = stack.plugin({"verify", second, "--passphrase-file", passphrase});
  EXPECT_EQ(verify.exitCode, 0) << verify.out << verify.err;
  auto check = stack.plugin({"check", "--passphrase-file", passphrase});
  EXPECT_EQ(check.exitCode, 0) << check.out << check.err;
  EXPECT_EQ(stack.plugin({"check"}).exitCode, 2);

  // A backup encrypted to a public key does not go into a store sealed for the passphrase.
  auto other = stack.plugin({"backup", "--json", "--encrypt-to", publicKey});
  ASSERT_EQ(other.exitCode, 0) << other.err;
  EXPECT_THAT(other.err, HasSubstr("not deduplicated"));
  json otherManifest = json::parse(std::ifstream(
      stack.repo() / stack.project() / json::parse(other.out)["id"].get<std::string>() / "manifest.json"));
  for (const auto& part : otherManifest["parts"])
    EXPECT_TRUE(part["name"].get<std::string>().ends_with(".age")) << part.dump();
  // Copied to a new repository, its whole age files stay whole, so no store is made there for them
  // (one would only turn later backups of another encryption away with a warning).
  fs::path wholeCopy = stack.repo().parent_path() / "whole-copy";
  auto copiedOther = stack.plugin({"copy", otherManifest["id"].get<std::string>(), "--to", wholeCopy.string(),
                                   "--identity", (keys / "key.txt").string()});
  ASSERT_EQ(copiedOther.exitCode, 0) << copiedOther.err;
  EXPECT_FALSE(fs::exists(wholeCopy / ".chunks")) << copiedOther.err;

  // Everything goes; the stack comes back from the sealed chunks.
  ASSERT_EQ(stack.compose({"down", "-v"}).exitCode, 0);
  ASSERT_EQ(stack.compose({"up", "-d"}).exitCode, 0);
  ASSERT_TRUE(stack.waitReady());
  auto restore = stack.plugin({"restore", second, "--yes", "--passphrase-file", passphrase});
  ASSERT_EQ(restore.exitCode, 0) << restore.err;
  e2e::expectSameData(before, stack.fingerprint());
  EXPECT_EQ(fileHolding(stack.repo(), "lines-in-the-clear"), "");  // the safety snapshot's catalog too

  // Copied to a repository without a store (--no-dedup: a new one gets a store encrypted as the
  // backup by default), each part is one age file to the passphrase.
  fs::path plain = stack.repo().parent_path() / "plain";
  auto copy =
      stack.plugin({"copy", second, "--to", plain.string(), "--no-dedup", "--passphrase-file", passphrase});
  ASSERT_EQ(copy.exitCode, 0) << copy.err;
  json copied = json::parse(std::ifstream(plain / stack.project() / second / "manifest.json"));
  for (const auto& part : copied["parts"]) {
    std::string name = part["name"];
    EXPECT_TRUE(name.ends_with(".age")) << name;
    auto opened = e2e::runProcess({"head", "-c", "21", (plain / stack.project() / second / name).string()});
    EXPECT_EQ(opened.out, "age-encryption.org/v1") << name;
  }
  EXPECT_EQ(fileHolding(plain, "lines-in-the-clear"), "");

  // Exported, the same: a bundle of age files, imported and verified with the passphrase.
  fs::path bundle = stack.repo().parent_path() / "sealed.tar";
  auto exported = stack.plugin({"export", second, "-o", bundle.string(), "--passphrase-file", passphrase});
  ASSERT_EQ(exported.exitCode, 0) << exported.err;
  EXPECT_EQ(fileText(bundle).find("lines-in-the-clear"), std::string::npos);
}

// An encrypted deduplicated store (issue #17): chunks sealed to the repository key and named by an
// HMAC, the key itself opened by the backups' recipients or passphrase and nothing else, backups
// that arrive only when encrypted as the store is, a flipped byte found, stock age and zstd bringing
// a part back, and copies that keep the encryption.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "base/sha256.hpp"
#include "tests/support/chunked_backups.hpp"
#include "tests/support/temp_dir.hpp"
#include "volumes/backup_copy.hpp"
#include "volumes/bundle.hpp"
#include "volumes/chunks/sealed_file.hpp"
#include "volumes/chunks/store_key.hpp"
#include "volumes/part_file.hpp"

namespace fs = std::filesystem;
using agentchat_test::backUp;
using agentchat_test::expectWhole;
using agentchat_test::packsOf;
using agentchat_test::Parts;
using agentchat_test::readPart;
using agentchat_test::someParts;
using agentchat_test::TempDir;
using testing::HasSubstr;

namespace {

// Read whole, not a character at a time: this code is built without optimisation and the packs are
// megabytes.
std::string fileText(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::string text(fs::file_size(file), '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  return text;
}

// Whom the test backups are encrypted to: one X25519 identity.
struct Owner {
  volumes::AgeIdentity identity = volumes::generateIdentity();
  volumes::Encryption encryption{{volumes::publicKeyOf(identity)}, false};
  std::vector<volumes::AgeRecipient> recipients{volumes::recipientOf(identity)};
};

// A repository with an encrypted store and one backup in it, encrypted to `owner`.
struct SealedRepository {
  explicit SealedRepository(unsigned seed) : parts(someParts(seed)) {
    repository.deduplicate(&owner.encryption, &owner.recipients);
    first = backUp(repository, "20261203T000000Z", parts, true, owner.encryption);
  }
  TempDir dir;
  Owner owner;
  volumes::LocalRepository repository{dir.path()};
  Parts parts;
  volumes::Manifest first;
};

bool anyFileHolds(const fs::path& root, const std::string& text) {
  for (const auto& e : fs::recursive_directory_iterator(root))
    if (e.is_regular_file() && fileText(e.path()).find(text) != std::string::npos) return true;
  return false;
}

}  // namespace

TEST(EncryptedStore, ChunksAreSealedToTheRepositoryKeyAndOnlyItsOwnersOpenIt) {
  SealedRepository sealed(21);
  auto& [dir, owner, repository, parts, first] = sealed;
  expectWhole(repository, first.id, parts);
  for (const auto& p : first.parts) {
    EXPECT_TRUE(p.chunked());
    EXPECT_FALSE(p.encrypted());  // one age file per chunk, not per part
  }
  EXPECT_TRUE(fs::exists(dir.path() / ".chunks" / "key.age"));
  EXPECT_THAT(fileText(dir.path() / ".chunks" / "config.json"), HasSubstr("hmac-sha256"));
  // No plaintext anywhere: every blob is an age file, and the dump's text is in no file.
  EXPECT_FALSE(anyFileHolds(dir.path(), "Dump completed"));
  for (const auto& pack : packsOf(dir.path()))
    EXPECT_EQ(fileText(pack).rfind("age-encryption.org/v1\n", 0), 0u) << pack;

  // The same bytes in a plain store get other names: the names are keyed, not plain sha256.
  TempDir plainDir;
  volumes::LocalRepository plain(plainDir.path());
  plain.deduplicate();
  backUp(plain, "20261203T000000Z", parts);
  auto list = [](const fs::path& root) {
    return fileText(root / "chat" / "20261203T000000Z" / "mysql.sql.zst.chunks");
  };
  std::string sealedFirst = list(dir.path()).substr(0, 64), plainFirst = list(plainDir.path()).substr(0, 64);
  EXPECT_NE(sealedFirst, plainFirst);
  EXPECT_FALSE(anyFileHolds(dir.path(), plainFirst));

  // Another run, without the key: nothing is read, and the message says which key to give.
  volumes::LocalRepository locked(dir.path());
  try {
    readPart(locked, first.id, first.parts[0]);
    ADD_FAILURE() << "read without the key";
  } catch (const volumes::RepositoryError& e) {
    EXPECT_THAT(e.what(), HasSubstr("--identity"));
  }
  EXPECT_FALSE(locked.begin("chat", "20261203T010000Z")->chunks(owner.encryption).has_value());
  EXPECT_THAT(locked.chunksRefusal(owner.encryption), HasSubstr("key was not opened"));
  EXPECT_FALSE(locked.unlockChunks({volumes::generateIdentity()}));
  EXPECT_TRUE(locked.unlockChunks({owner.identity}));
  expectWhole(locked, first.id, parts);

  // Unlocked, an unchanged backup adds nothing; backups encrypted otherwise keep whole parts.
  auto second = backUp(locked, "20261203T010000Z", parts, true, owner.encryption);
  for (const auto& p : second.parts) EXPECT_EQ(p.newSize, 0u) << p.name;
  expectWhole(locked, second.id, parts);
  auto staging = locked.begin("chat", "20261203T020000Z");
  EXPECT_FALSE(staging->chunks(volumes::Encryption{}).has_value());
  EXPECT_THAT(locked.chunksRefusal(volumes::Encryption{}), HasSubstr("this backup is not"));
  Owner stranger;
  EXPECT_FALSE(staging->chunks(stranger.encryption).has_value());
  EXPECT_THAT(locked.chunksRefusal(stranger.encryption), HasSubstr("other keys"));
}

TEST(EncryptedStore, APassphraseOpensTheKeyAndAWrongOneDoesNot) {
  TempDir dir;
  volumes::Encryption encryption{{}, true};
  std::vector<volumes::AgeRecipient> recipients;
  recipients.push_back(volumes::passphraseRecipient("correct horse battery", 10));
  auto parts = someParts(22);  // once: its tar header holds the time it was made
  {
    volumes::LocalRepository repository(dir.path());
    repository.deduplicate(&encryption, &recipients);
    backUp(repository, "20261203T000000Z", parts, true, encryption);
  }
  volumes::LocalRepository again(dir.path());
  EXPECT_FALSE(again.unlockChunks({volumes::passphraseIdentity("wrong horse")}));
  EXPECT_TRUE(again.unlockChunks({volumes::passphraseIdentity("correct horse battery")}));
  expectWhole(again, "20261203T000000Z", parts);
}

TEST(EncryptedStore, AFlippedByteInASealedBlobIsFoundAndRefused) {
  SealedRepository sealed(23);
  auto& [dir, owner, repository, parts, manifest] = sealed;
  auto packs = packsOf(dir.path());
  ASSERT_EQ(packs.size(), 1u);
  {
    std::fstream f(packs[0], std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(300);
    char c = static_cast<char>(f.get());
    f.seekp(300);
    f.put(static_cast<char>(c ^ 0x10));
  }
  auto check = volumes::checkPart({&repository, "chat", manifest.id}, manifest.parts[0]);
  EXPECT_FALSE(check.ok);
  EXPECT_THAT(check.problem, HasSubstr("is damaged"));
  auto checked = repository.check(false);
  EXPECT_EQ(checked.store.lost.size(), 1u);
  EXPECT_EQ(checked.damagedBackups.size(), 1u);
}

TEST(EncryptedStore, StockAgeAndZstdBringAPartBack) {
  SealedRepository sealed(24);
  auto& [dir, owner, repository, parts, first] = sealed;
  TempDir keys;
  fs::path identity = keys.path() / "me.key", out = keys.path() / "out";
  std::ofstream(identity) << volumes::formatIdentity(owner.identity) << "\n";
  // The recipe of volumes/chunks/FORMAT.md for an encrypted store, as a user would type it.
  fs::path recipe = keys.path() / "recipe.sh";
  std::ofstream(recipe) << "set -e\nexport LC_ALL=C\ncd '" << (dir.path() / ".chunks").string() << "'\n"
                        << "age -d -i '" << identity.string() << "' key.age > '" << keys.path().string()
                        << "/repo.key'\n"
                        << "sort -u -k1,1 index/*.tsv > ../index.sorted\n"
                        << "awk '{print $1, NR}' ../chat/20261203T000000Z/mysql.sql.zst.chunks"
                        << " | sort -k1,1 | join - ../index.sorted |\n"
                        << "  sort -k2,2n | while read -r name n pack offset length size; do\n"
                        << "    tail -c +$((offset + 1)) \"packs/$(printf %.2s \"$pack\")/$pack\" | head -c "
                           "\"$length\" | age -d -i '"
                        << keys.path().string() << "/repo.key' | zstd -dc\n"
                        << "  done > '" << out.string() << "'\n";
  ASSERT_EQ(std::system(("bash " + recipe.string()).c_str()), 0);
  EXPECT_TRUE(fileText(out) == parts.dump);
}

TEST(EncryptedStore, CopiesAndBundlesKeepTheEncryption) {
  SealedRepository sealed(25);
  auto& [dir, owner, repository, parts, first] = sealed;
  TempDir plainDir, otherDir;

  // Into whole parts: without the recipients nothing is copied; with them each part is one age file.
  volumes::LocalRepository plain(plainDir.path());
  EXPECT_THROW(volumes::copyBackup(repository, plain, "chat", "20261203T000000Z"), volumes::RepositoryError);
  EXPECT_TRUE(plain.list("chat").empty());
  volumes::copyBackup(repository, plain, "chat", "20261203T000000Z", owner.recipients);
  auto copied = plain.read("chat", "20261203T000000Z");
  volumes::PartKeys keys{owner.identity};
  for (const auto& p : copied.parts) {
    EXPECT_TRUE(p.encrypted()) << p.name;
    EXPECT_THAT(p.name, testing::EndsWith(".zst.age"));
    auto check = volumes::checkPart({&plain, "chat", copied.id}, p, false, &keys);
    EXPECT_TRUE(check.ok && check.contentChecked) << p.name << ": " << check.problem;
  }
  EXPECT_FALSE(anyFileHolds(plainDir.path(), "Dump completed"));

  // Into another store encrypted to the same recipients: chunks again, under that store's own key.
  volumes::LocalRepository other(otherDir.path());
  other.deduplicate(&owner.encryption, &owner.recipients);
  volumes::copyBackup(repository, other, "chat", "20261203T000000Z", owner.recipients);
  for (const auto& p : other.read("chat", "20261203T000000Z").parts) EXPECT_TRUE(p.chunked());
  expectWhole(other, "20261203T000000Z", parts);

  // A bundle: each part one age file to the recipients, the same bytes its manifest's sha256 names.
  EXPECT_THROW(volumes::writeBundle(repository, "chat", "20261203T000000Z", [](std::string_view) {}),
               volumes::RepositoryError);
  std::string bundle;
  volumes::writeBundle(
      repository, "chat", "20261203T000000Z", [&](std::string_view b) { bundle += b; }, owner.recipients);
  EXPECT_EQ(bundle.find("Dump completed"), std::string::npos);
  TempDir importDir;
  volumes::LocalRepository imported(importDir.path());
  volumes::importBundle(imported, base::bytesSource(bundle));
  for (const auto& p : imported.read("chat", "20261203T000000Z").parts) {
    EXPECT_TRUE(p.encrypted()) << p.name;
    auto check = volumes::checkPart({&imported, "chat", "20261203T000000Z"}, p, false, &keys);
    EXPECT_TRUE(check.ok && check.contentChecked) << p.name << ": " << check.problem;
  }
}

TEST(EncryptedStore, AReplacedKeyIsRefusedAndAnOrphanedOneIsNeverReplaced) {
  SealedRepository sealed(26);
  auto& [dir, owner, repository, parts, first] = sealed;
  fs::path keyFile = dir.path() / ".chunks" / "key.age";
  std::string original = fileText(keyFile);
  // A stranger's key sealed to the owner's public key: it opens, but opens no stored chunk.
  std::ofstream(keyFile, std::ios::trunc | std::ios::binary)
      << volumes::chunks::sealStoreKey(volumes::chunks::generateStoreKey(), owner.recipients);
  volumes::LocalRepository forged(dir.path());
  try {
    forged.unlockChunks({owner.identity});
    ADD_FAILURE() << "a replaced key was taken";
  } catch (const volumes::RepositoryError& e) {
    EXPECT_THAT(e.what(), HasSubstr("opens none of the chunks"));
  }
  EXPECT_FALSE(forged.begin("chat", "20261203T010000Z")->chunks(owner.encryption).has_value());

  // Without config.json a store is not made again over its key: the chunks would be lost with it.
  std::ofstream(keyFile, std::ios::trunc | std::ios::binary) << original;
  fs::rename(dir.path() / ".chunks" / "config.json", dir.path() / "config.json.moved");
  volumes::LocalRepository orphaned(dir.path());
  EXPECT_THROW(orphaned.deduplicate(&owner.encryption, &owner.recipients), volumes::RepositoryError);
  EXPECT_EQ(fileText(keyFile), original);
  fs::rename(dir.path() / "config.json.moved", dir.path() / ".chunks" / "config.json");
  volumes::LocalRepository restored(dir.path());
  EXPECT_TRUE(restored.unlockChunks({owner.identity}));
  expectWhole(restored, first.id, parts);
}

TEST(EncryptedStore, ACatalogIsSealedLikeTheChunks) {
  TempDir dir;
  auto key = volumes::chunks::generateStoreKey();
  auto keys = volumes::chunks::ChunkKeys::encrypted(key.namingKey, key.identity);
  std::string text = "volume/users/alice/secret-plan.pdf 1234\n";
  {
    auto out =
        volumes::chunks::sealedWriter(std::make_unique<volumes::PartFile>(dir.path() / "x.catalog"), keys);
    out->write(text);
    out->close();
  }
  EXPECT_EQ(fileText(dir.path() / "x.catalog").find("alice"), std::string::npos);
  auto in = volumes::chunks::openedReader(volumes::openStoredFile(dir.path() / "x.catalog"), keys);
  std::string back;
  char buffer[7];  // small reads: the plaintext is handed out across calls
  while (std::size_t got = in->read(buffer, sizeof buffer)) back.append(buffer, got);
  EXPECT_EQ(back, text);
  // The store key's text is an identity file age reads; the naming key rides in a comment.
  auto again = volumes::chunks::parseStoreKey(volumes::chunks::formatStoreKey(key).view());
  EXPECT_EQ(again.namingKey.view(), key.namingKey.view());
  EXPECT_EQ(volumes::publicKeyOf(again.identity), volumes::publicKeyOf(key.identity));
  EXPECT_THROW(volumes::chunks::parseStoreKey("# naming-key: 00\nAGE-SECRET-KEY-1XYZ\n"),
               volumes::RepositoryError);
}

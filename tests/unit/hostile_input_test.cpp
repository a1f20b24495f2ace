// A backup is untrusted input on restore: a manifest naming files outside the backup, a part whose
// size or digest disagrees with the manifest, a decompression bomb, tar entries that would write
// outside the target. Each is refused before anything is written (and the fuzz targets in
// tests/fuzz/ look for more of the same).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "base/sha256.hpp"
#include "base/tar_walker.hpp"
#include "tests/support/tar_blocks.hpp"
#include "volumes/guarded_tar.hpp"
#include "volumes/manifest.hpp"
#include "volumes/part_check.hpp"
#include "volumes/part_reader.hpp"
#include "volumes/tar_guard.hpp"
#include "volumes/zstd_stream.hpp"

namespace fs = std::filesystem;
using base::TarEntry;
using base::TarError;
using ::testing::HasSubstr;

namespace {

// --- manifests ---

std::string manifestNaming(const std::string& partNameJson) {
  return R"({"formatVersion":1,"id":"20261124T020000Z","project":"agentchat","createdAt":"",)"
         R"("label":"","consistency":"online","details":{},"parts":[{"name":)" +
         partNameJson + R"(,"kind":"volume","service":"app","source":"x","size":1,"rawSize":1,"sha256":")" +
         std::string(64, 'a') + R"("}]})";
}

// --- tar streams made by hand: what no well-behaved archiver writes ---

using agentchat_test::ustarHeader;
using agentchat_test::withChecksum;
std::string header(const std::string& name, char type, std::uint64_t size = 0, const std::string& link = "") {
  return ustarHeader(name, type, size, link);
}

std::string padded(const std::string& data) {
  return data + std::string((512 - data.size() % 512) % 512, '\0');
}

// An extended header ('x' pax, 'g' global pax, 'L' GNU long name, 'K' GNU long link) and its data.
std::string extended(char type, const std::string& data) {
  return header("././@Extended", type, data.size()) + padded(data);
}

std::string paxRecord(const std::string& key, const std::string& value) {
  std::string body = " " + key + "=" + value + "\n";
  std::size_t length = body.size() + 1;
  while (std::to_string(length).size() + body.size() != length) ++length;
  return std::to_string(length) + body;
}

std::string tarOf(const std::vector<std::string>& pieces) {
  std::string tar;
  for (const auto& p : pieces) tar += p;
  return tar + std::string(1024, '\0');
}

// The check every tar part gets before a restore starts (checkPart with guardPaths): "" or why not.
std::string walkAndGuard(const std::string& tar) {
  volumes::TarGuard guard;
  base::TarWalker walker(
      [&](const base::TarEntry& e) {
        guard.check(e);
        return false;
      },
      [](std::string_view) {});
  try {
    walker.feed(tar);
    walker.finish();
  } catch (const base::TarError& e) {
    return e.what();
  }
  return "";
}

// The second look, on the bytes on their way to the engine (volume and log restores).
std::string guardedSource(const std::string& tar, const std::string& within = "") {
  std::size_t at = 0;
  volumes::GuardedTarSource source(
      [&](char* buffer, std::size_t capacity) {
        std::size_t n = std::min(capacity, tar.size() - at);
        std::memcpy(buffer, tar.data() + at, n);
        at += n;
        return n;
      },
      within);
  std::vector<char> buffer(4096);
  try {
    while (source.read(buffer.data(), buffer.size()) > 0) {
    }
  } catch (const base::TarError& e) {
    return e.what();
  }
  return "";
}

// The names TarWalker gives the entries (meta headers applied).
std::vector<std::string> namesIn(const std::string& tar) {
  std::vector<std::string> names;
  base::TarWalker walker(
      [&](const base::TarEntry& e) {
        names.push_back(e.name);
        return false;
      },
      [](std::string_view) {});
  walker.feed(tar);
  walker.finish();
  return names;
}

// Both checks refuse it; returns the first check's reason.
std::string refused(const std::string& tar, const std::string& within = "") {
  std::string first = walkAndGuard(tar);
  std::string second = guardedSource(tar, within);
  EXPECT_NE(first, "") << "base::TarWalker + TarGuard accepted it";
  EXPECT_NE(second, "") << "GuardedTarSource passed it on";
  return first;
}

// --- parts on disk ---

std::string compressed(const std::string& raw) {
  std::string out;
  volumes::ZstdCompressor zstd([&](std::string_view c) { out.append(c); });
  zstd.write(raw);
  zstd.finish();
  return out;
}

std::string sha256Of(const std::string& bytes) {
  base::Sha256 hash;
  hash.update(bytes);
  return hash.hexDigest();
}

class HostilePart : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("agentchat-hostile-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Stores `stored` as part `name` and returns the record a faithful manifest would hold.
  volumes::PartRecord store(const std::string& name, const std::string& stored, std::uint64_t rawSize) {
    std::ofstream(dir_ / name, std::ios::binary) << stored;
    volumes::PartRecord record;
    record.name = name;
    record.kind = "redis-rdb";
    record.size = stored.size();
    record.rawSize = rawSize;
    record.sha256 = sha256Of(stored);
    return record;
  }
  fs::path dir_;
};

}  // namespace

TEST(HostileManifest, PartNamesOutsideTheBackupDirectoryAreRefused) {
  ASSERT_NO_THROW(volumes::parseManifest(manifestNaming(R"("mysql.sql.zst")")));
  for (const char* name : {R"("../x")", R"("/etc/passwd")", R"("a/b")", R"(".hidden")", R"("")",
                           R"("a\u0000b")", R"("..")", R"(".")", R"("a\\b")", R"("x\ny")"}) {
    EXPECT_THROW(volumes::parseManifest(manifestNaming(name)), volumes::ManifestError) << name;
  }
}

TEST(HostileManifest, EncryptedPartsMustSayToWhomAndNotShadowAPlainOne) {
  volumes::Manifest m;
  m.id = "20261125T000000Z";
  m.encryption.recipients = {"age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p"};
  volumes::PartRecord part{"a.sql.zst.age",      "mysql-dump",         "mysql", "", 1, 1,
                           std::string(64, 'a'), std::string(64, 'b'), "",      0};
  m.parts = {part};
  auto back = volumes::parseManifest(volumes::toJson(m).dump());
  ASSERT_EQ(back.parts.size(), 1u);
  EXPECT_TRUE(back.parts[0].encrypted());
  EXPECT_EQ(back.part("a.sql.zst"), &back.parts[0]);
  // The same content twice: "a.sql.zst" would name either.
  auto plain = part;
  plain.name = "a.sql.zst";
  plain.plainSha256.clear();
  m.parts = {part, plain};
  EXPECT_THROW(volumes::parseManifest(volumes::toJson(m).dump()), volumes::ManifestError);
  // Encrypted, but to nobody; and an encrypted part not named .age.
  m.parts = {part};
  m.encryption = {};
  EXPECT_THROW(volumes::parseManifest(volumes::toJson(m).dump()), volumes::ManifestError);
  auto text = volumes::toJson(m);
  text["encryption"] = {{"format", "age-v1"}, {"recipients", {"age1x"}}, {"passphrase", false}};
  text["parts"][0]["name"] = "a.sql.zst";
  EXPECT_THROW(volumes::parseManifest(text.dump()), volumes::ManifestError);
}

TEST(HostileManifest, DeepNestingIsRefusedNotAStackOverflow) {
  // Copying a document nested this deep recursed once per level, past the end of the stack.
  std::string deep = std::string(200000, '[') + std::string(200000, ']');
  std::string text = manifestNaming(R"("a.sql.zst")");
  text.replace(text.find(R"("details":{})"), 12, R"("details":{"x":)" + deep + "}");
  EXPECT_THROW(volumes::parseManifest(text), volumes::ManifestError);
}

TEST_F(HostilePart, ASizeThatDisagreesWithTheManifestIsRefused) {
  auto record = store("r.rdb.zst", compressed("REDIS0011" + std::string(5000, 'z')), 5009);
  ASSERT_TRUE(volumes::checkPart(dir_ / record.name, record).ok);
  auto bigger = record;
  bigger.size += 1;
  auto check = volumes::checkPart(dir_ / record.name, bigger);
  EXPECT_FALSE(check.ok);
  EXPECT_THAT(check.problem, HasSubstr("size"));
  // Bytes appended to the stored file: the manifest's size no longer holds either.
  std::ofstream(dir_ / record.name, std::ios::binary | std::ios::app) << "trailing";
  check = volumes::checkPart(dir_ / record.name, record);
  EXPECT_FALSE(check.ok);
  EXPECT_THAT(check.problem, HasSubstr("size"));
}

TEST_F(HostilePart, ASha256ThatDisagreesWithTheManifestIsRefused) {
  auto record = store("r.rdb.zst", compressed("REDIS0011" + std::string(5000, 'z')), 5009);
  auto other = record;
  other.sha256 = sha256Of("something else");
  auto check = volumes::checkPart(dir_ / record.name, other);
  EXPECT_FALSE(check.ok);
  EXPECT_THAT(check.problem, HasSubstr("sha256"));
}

TEST_F(HostilePart, ADecompressionBombStopsAtTheManifestsRawSize) {
  // 100 MiB of zeros, a few KiB stored, and a manifest saying 1 MiB.
  constexpr std::uint64_t kCap = 1 << 20;
  std::string stored;
  {
    volumes::ZstdCompressor zstd([&](std::string_view c) { stored.append(c); }, 19);
    std::string zeros(1 << 20, '\0');
    for (int i = 0; i < 100; ++i) zstd.write(zeros);
    zstd.finish();
  }
  EXPECT_LT(stored.size(), 64u * 1024);

  std::uint64_t out = 0;
  volumes::ZstdDecompressor zstd([&](std::string_view chunk) { out += chunk.size(); }, kCap);
  EXPECT_THROW(
      {
        for (std::size_t at = 0; at < stored.size(); at += 1000)
          zstd.write(std::string_view(stored).substr(at, 1000));
        zstd.finish();
      },
      volumes::CompressionError);
  EXPECT_LE(out, kCap);

  auto record = store("bomb.rdb.zst", stored, kCap);
  auto check = volumes::checkPart(dir_ / record.name, record);
  EXPECT_FALSE(check.ok);
  EXPECT_THAT(check.problem, HasSubstr("exceeds"));

  // What a restore reads from it: never more than the cap, then an error.
  volumes::PartReader reader(dir_ / record.name, record);
  std::vector<char> buffer(64 * 1024);
  std::uint64_t read = 0;
  EXPECT_THROW(
      {
        while (std::size_t n = reader.read(buffer.data(), buffer.size())) read += n;
      },
      volumes::CompressionError);
  EXPECT_LE(read, kCap);
}

TEST(HostileTar, DeviceNodesAndFifosAreRefused) {
  EXPECT_THAT(refused(tarOf({header("./null", '3')})), HasSubstr("device"));
  EXPECT_THAT(refused(tarOf({header("./sda", '4')})), HasSubstr("device"));
  EXPECT_THAT(refused(tarOf({header("./fifo", '6')})), HasSubstr("FIFO"));
}

TEST(HostileTar, PathsThatLeaveTheTargetAreRefused) {
  EXPECT_THAT(refused(tarOf({header("/etc/passwd", '0', 4), padded("root")})),
              HasSubstr("leaves the target"));
  EXPECT_THAT(refused(tarOf({header("../x", '0')})), HasSubstr("leaves the target"));
  EXPECT_THAT(refused(tarOf({header("a/../../x", '0')})), HasSubstr("leaves the target"));
  // The target itself replaced by a file or a symlink (the engine would remove it first).
  EXPECT_THAT(refused(tarOf({header("a/..", '0')})), HasSubstr("replace the target"));
  EXPECT_THAT(refused(tarOf({header(".", '2', 0, "sub")})), HasSubstr("replace the target"));
  EXPECT_EQ(walkAndGuard(tarOf({header(".", '5'), header("./a", '5')})), "");
}

TEST(HostileTar, LinksOutOfTheTargetAreRefused) {
  EXPECT_THAT(refused(tarOf({header("./h", '1', 0, "../x")})), HasSubstr("hardlink"));
  EXPECT_THAT(refused(tarOf({header("./h", '1', 0, "/etc/shadow")})), HasSubstr("hardlink"));
  EXPECT_THAT(refused(tarOf({header("./l", '2', 0, "/etc")})), HasSubstr("absolute"));
  EXPECT_THAT(refused(tarOf({header("./a/l", '2', 0, "../../etc")})), HasSubstr("outside"));
}

TEST(HostileTar, NothingIsWrittenThroughASymlink) {
  EXPECT_THAT(refused(tarOf({header("./l", '2', 0, "sub"), header("./l/passwd", '0', 4), padded("root")})),
              HasSubstr("below the symlink l"));
}

TEST(HostileTar, SymlinksClimbingBackOutOfASymlinkAreRefused) {
  // a/b/l2 points at the root, two levels up; "a/b/l2/../x" reads as a/b/x but climbs from the root.
  EXPECT_THAT(refused(tarOf({header("a/", '5'), header("a/b/", '5'), header("a/b/l2", '2', 0, "../.."),
                             header("l1", '2', 0, "a/b/l2/../x")})),
              HasSubstr("climbing back out of the symlink a/b/l2"));
  // The same, the other way round: the symlink climbed out of comes after the link through it.
  EXPECT_THAT(
      refused(tarOf({header("a/", '5'), header("l1", '2', 0, "a/b/../x"), header("a/b", '2', 0, "..")})),
      HasSubstr("climbs back out of this path"));
  // Climbing out of real directories stays allowed.
  EXPECT_EQ(walkAndGuard(tarOf({header("data/", '5'), header("up", '2', 0, "data/../data/a.txt")})), "");
}

TEST(HostileTar, PaxAndGnuLongNamesAreCheckedLikeAnyName) {
  EXPECT_THAT(refused(tarOf({extended('x', paxRecord("path", "../x")), header("ok", '0')})),
              HasSubstr("leaves the target"));
  EXPECT_THAT(refused(tarOf({extended('L', "../x"), header("ok", '0')})), HasSubstr("leaves the target"));
  EXPECT_THAT(refused(tarOf({extended('x', paxRecord("linkpath", "/etc")), header("ok", '2', 0, "fine")})),
              HasSubstr("absolute"));
  EXPECT_THAT(refused(tarOf({extended('K', "../../etc"), header("a/ok", '2', 0, "fine")})),
              HasSubstr("outside"));
}

// The engine unpacks with Go's archive/tar. Where it would find other entries in the same bytes
// than TarWalker, an entry could reach the engine that the guard never saw: refused, or read as Go.
TEST(HostileTar, ALinkOrDirectoryWithASizeCannotHideTheNextHeader) {
  // Go reads no data for a directory: the "data" is a device node header to it.
  std::string hidden = header("./null", '3');
  EXPECT_THAT(refused(tarOf({header("d/", '5', 512), hidden})), HasSubstr("with a size"));
  EXPECT_THAT(refused(tarOf({header("l", '2', 512, "d"), hidden})), HasSubstr("with a size"));
  EXPECT_THAT(refused(tarOf({header("h", '1', 512, "d"), hidden})), HasSubstr("with a size"));
  // An old-style regular entry named like a directory is a directory to Go too.
  EXPECT_THAT(refused(tarOf({header("d/", '\0', 512), hidden})), HasSubstr("with a size"));
}

TEST(HostileTar, ANumberGoReadsDifferentlyIsRefused) {
  // Size "\0" "0000001000" "\0": 0 for a reader that stops at the NUL, 512 for Go (it skips NULs),
  // which then takes the next header for data and the one after it, a device, for an entry.
  std::string a = header("a", '0');
  std::memcpy(a.data() + 124,
              "\0"
              "0000001000\0",
              12);
  EXPECT_THAT(refused(tarOf({withChecksum(a), header("b", '0', 512), header("./null", '3')})),
              HasSubstr("malformed number"));
}

TEST(HostileTar, TheUstarPrefixIsReadOnlyWherePosixPutsIt) {
  // A GNU header keeps times where ustar has its prefix: Go reads "../x" here, not "0/../x".
  std::string gnu = header("../x", '0');
  std::memcpy(gnu.data() + 257, "ustar  \0", 8);
  gnu[345] = '0';
  EXPECT_THAT(refused(tarOf({withChecksum(gnu)})), HasSubstr("prefix"));
  // A POSIX one: the prefix is part of the name.
  std::string posix = header("x", '0');
  std::memcpy(posix.data() + 345, "logs", 4);
  EXPECT_EQ(namesIn(tarOf({withChecksum(posix)})), std::vector<std::string>{"logs/x"});
}

TEST(HostileTar, ExtendedHeadersNameTheEntryAsGoReadsThem) {
  // A global header ends the extended headers before it: the entry is "other", not logs/x.
  std::string tar = tarOf({extended('L', "logs/x"), extended('g', ""), header("other", '0')});
  EXPECT_EQ(namesIn(tar), std::vector<std::string>{"other"});
  EXPECT_THAT(guardedSource(tar, "logs"), HasSubstr("outside logs/"));
  // A pax header replaces the one before it.
  tar = tarOf({extended('x', paxRecord("path", "logs/a")), extended('x', paxRecord("mtime", "1")),
               header("other", '0')});
  EXPECT_EQ(namesIn(tar), std::vector<std::string>{"other"});
  EXPECT_THAT(guardedSource(tar, "logs"), HasSubstr("outside logs/"));
  // A GNU long name beats a pax path, whichever comes first.
  tar = tarOf({extended('L', "other"), extended('x', paxRecord("path", "logs/a")), header("logs/b", '0')});
  EXPECT_EQ(namesIn(tar), std::vector<std::string>{"other"});
  EXPECT_THAT(guardedSource(tar, "logs"), HasSubstr("outside logs/"));
}

TEST(HostileTar, AGnuSparseFileIsCheckedUnderItsOwnName) {
  std::string sparse10 = paxRecord("GNU.sparse.major", "1") + paxRecord("GNU.sparse.minor", "0");
  EXPECT_THAT(refused(tarOf({extended('x', sparse10 + paxRecord("GNU.sparse.name", "../x")),
                             header("GNUSparseFile.0/ok", '0')})),
              HasSubstr("leaves the target"));
  // A sparse name Go would ignore and libarchive would not: unclear, refused.
  EXPECT_THAT(refused(tarOf({extended('x', paxRecord("GNU.sparse.name", "other")), header("ok", '0')})),
              HasSubstr("GNU.sparse.name"));
}

// verify's offline checks: any changed, missing or truncated byte of a part is found and named.
#include "volumes/part_check.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "volumes/compressed_part.hpp"
#include "volumes/host_archive.hpp"

namespace fs = std::filesystem;

namespace {

class PartCheck : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("agentchat-check-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "in/sub");
    std::ofstream(dir_ / "in/sub/a.txt") << std::string(100000, 'a') << "end";
  }
  void TearDown() override { fs::remove_all(dir_); }

  volumes::PartRecord write(const std::string& name,
                            const std::function<void(const base::ChunkSink&)>& produce) {
    volumes::CompressedPart part(std::make_unique<volumes::PartFile>(dir_ / name),
                                 {name, "x", "", "", 0, 0, "", "", "", 0}, 3, 0);
    produce(part.sink());
    return part.finish();
  }
  void flipByte(const std::string& name, std::uint64_t at) {
    std::fstream f(dir_ / name, std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(static_cast<std::streamoff>(at));
    char c = 0;
    f.get(c);
    f.seekp(static_cast<std::streamoff>(at));
    f.put(static_cast<char>(c ^ 0x01));
  }
  fs::path dir_;
};

}  // namespace

TEST_F(PartCheck, AGoodTarPartPassesAndAnyFlippedByteFails) {
  auto record = write("v.tar.zst", [&](const base::ChunkSink& sink) {
    volumes::archiveHostPaths({{dir_ / "in", "in"}}, sink);
  });
  EXPECT_TRUE(volumes::checkPart(dir_ / "v.tar.zst", record).ok);
  for (std::uint64_t at : {std::uint64_t{0}, record.size / 2, record.size - 1}) {
    flipByte("v.tar.zst", at);
    auto check = volumes::checkPart(dir_ / "v.tar.zst", record);
    EXPECT_FALSE(check.ok) << "byte " << at;
    EXPECT_NE(check.problem.find("sha256"), std::string::npos) << check.problem;
    flipByte("v.tar.zst", at);
  }
  EXPECT_TRUE(volumes::checkPart(dir_ / "v.tar.zst", record).ok);
}

TEST_F(PartCheck, ContentIsCheckedEvenWhenTheDigestMatches) {
  // A dump without its closing line, recorded faithfully: the digest agrees, the content does not.
  auto sql = write("db.sql.zst",
                   [](const base::ChunkSink& sink) { sink("-- MySQL dump\nINSERT INTO `t` VALUES (1);\n"); });
  auto check = volumes::checkPart(dir_ / "db.sql.zst", sql);
  EXPECT_FALSE(check.ok);
  EXPECT_NE(check.problem.find("Dump completed"), std::string::npos);
  auto tar = write("t.tar.zst", [](const base::ChunkSink& sink) { sink(std::string(700, 'x')); });
  EXPECT_FALSE(volumes::checkPart(dir_ / "t.tar.zst", tar).ok);
  auto rdb = write("r.rdb.zst", [](const base::ChunkSink& sink) { sink("REDIS0010...."); });
  EXPECT_TRUE(volumes::checkPart(dir_ / "r.rdb.zst", rdb).ok);
}

TEST_F(PartCheck, MissingOrTruncatedPartsAreNamed) {
  auto record =
      write("r.rdb.zst", [](const base::ChunkSink& sink) { sink("REDIS" + std::string(50000, 'z')); });
  fs::resize_file(dir_ / "r.rdb.zst", record.size - 3);
  auto check = volumes::checkPart(dir_ / "r.rdb.zst", record);
  EXPECT_FALSE(check.ok);
  EXPECT_NE(check.problem.find("size"), std::string::npos) << check.problem;
  fs::remove(dir_ / "r.rdb.zst");
  EXPECT_NE(volumes::checkPart(dir_ / "r.rdb.zst", record).problem.find("missing"), std::string::npos);
}

#include "volumes/excludes.hpp"

TEST(Excludes, FileNamePatternsMatchAtAnyDepthPathPatternsFromTheRoot) {
  volumes::Excludes ex({"*.tmp", "cache", "uploads/tmp/*"});
  EXPECT_TRUE(ex.excludes("./a.tmp"));
  EXPECT_TRUE(ex.excludes("./deep/down/b.tmp"));
  EXPECT_TRUE(ex.excludes("./cache/"));
  EXPECT_TRUE(ex.excludes("./x/cache/file.bin"));  // below an excluded directory
  EXPECT_TRUE(ex.excludes("uploads/tmp/1.jpg"));
  EXPECT_FALSE(ex.excludes("./uploads/1.jpg"));
  EXPECT_FALSE(ex.excludes("./a.tmpl"));
  EXPECT_FALSE(ex.excludes("./"));
  EXPECT_FALSE(volumes::Excludes({}).excludes("./a.tmp"));
}

#include "base/tar_file_reader.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>

namespace fs = std::filesystem;
using base::TarError;
using base::TarFileReader;

namespace {

class TarFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("agentchat-tar-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "in");
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Makes an archive of `entry` (relative to in/) with GNU tar in the given format.
  std::string archive(const std::string& entry, const std::string& format) {
    fs::path out = dir_ / "a.tar";
    std::string cmd = "tar --format=" + format + " -C " + (dir_ / "in").string() + " -cf " + out.string() +
                      " '" + entry + "'";
    EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
    std::ifstream in(out, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  }
  std::string writeFile(const std::string& name, std::size_t size) {
    std::mt19937 random(3);
    std::string data(size, '\0');
    for (auto& c : data) c = static_cast<char>(random());
    std::ofstream(dir_ / "in" / name, std::ios::binary) << data;
    return data;
  }
  fs::path dir_;
};

std::string extract(const std::string& tar, std::size_t chunk, std::string* name = nullptr) {
  std::string out;
  base::TarFileReader reader([&out](std::string_view c) { out.append(c); });
  for (std::size_t at = 0; at < tar.size(); at += chunk) reader.feed(std::string_view(tar).substr(at, chunk));
  reader.finish();
  if (name) *name = reader.name();
  return out;
}

}  // namespace

TEST_F(TarFiles, ExtractsTheFileInEveryFormatAndChunking) {
  std::string data = writeFile("dump.rdb", 1234567);
  for (const char* format : {"ustar", "pax", "gnu"}) {
    std::string tar = archive("dump.rdb", format);
    for (std::size_t chunk : {1u, 511u, 512u, 4096u, 1000000u}) {
      std::string name;
      ASSERT_EQ(extract(tar, chunk, &name), data) << format << " chunk " << chunk;
      EXPECT_EQ(name, "dump.rdb");
    }
  }
}

TEST_F(TarFiles, LongNamesViaPaxAndGnuHeaders) {
  std::string longName(150, 'n');
  std::string data = writeFile(longName, 1000);
  for (const char* format : {"pax", "gnu"}) {
    std::string name;
    EXPECT_EQ(extract(archive(longName, format), 100, &name), data) << format;
    EXPECT_EQ(name, longName) << format;
  }
}

TEST_F(TarFiles, EmptyFile) {
  writeFile("empty", 0);
  EXPECT_EQ(extract(archive("empty", "pax"), 512), "");
}

TEST_F(TarFiles, RejectsDirectoriesTruncationAndCorruption) {
  fs::create_directories(dir_ / "in" / "appendonlydir");
  EXPECT_THROW(extract(archive("appendonlydir", "pax"), 512), base::TarError);
  writeFile("dump.rdb", 5000);
  std::string tar = archive("dump.rdb", "pax");
  EXPECT_THROW(extract(tar.substr(0, 3000), 512), base::TarError);
  std::string corrupt = tar;
  corrupt[1030] ^= 1;  // inside the file's header (after the pax header block and its payload)
  corrupt[0] ^= 1;     // and the pax header's name: checksum no longer matches
  EXPECT_THROW(extract(corrupt, 512), base::TarError);
  EXPECT_THROW(extract("", 512), base::TarError);
}

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include "volumes/bundle.hpp"
#include "volumes/local_repository.hpp"
#include "volumes/manifest.hpp"
#include "volumes/stream_pipe.hpp"
#include "volumes/zstd_stream.hpp"

namespace fs = std::filesystem;
using namespace volumes;

namespace {

std::string randomishData(std::size_t size) {
  std::mt19937 random(7);
  std::string data;
  data.reserve(size);
  while (data.size() < size) {
    // Mix compressible runs with noise, like real dumps.
    if (random() % 4 == 0) {
      data.append(std::min<std::size_t>(random() % 300, size - data.size()),
                  'a' + static_cast<char>(random() % 26));
    } else {
      data.push_back(static_cast<char>(random()));
    }
  }
  return data;
}

std::string compress(const std::string& data, int threads = 0) {
  std::string out;
  ZstdCompressor compressor([&out](std::string_view c) { out.append(c); }, 3, threads);
  std::mt19937 random(1);
  for (std::size_t at = 0; at < data.size();) {
    std::size_t n = std::min<std::size_t>(1 + random() % 100000, data.size() - at);
    compressor.write(std::string_view(data).substr(at, n));
    at += n;
  }
  compressor.finish();
  return out;
}

std::string decompress(const std::string& data, std::uint64_t max = UINT64_MAX) {
  std::string out;
  ZstdDecompressor decompressor([&out](std::string_view c) { out.append(c); }, max);
  for (std::size_t at = 0; at < data.size(); at += 4096)
    decompressor.write(std::string_view(data).substr(at, 4096));
  decompressor.finish();
  return out;
}

class VolumesOnDisk : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("agentchat-vol-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

Manifest sampleManifest() {
  Manifest m;
  m.id = "20261124T020000Z";
  m.project = "agentchat";
  m.createdAt = "2026-11-24T02:00:00Z";
  m.consistency = "online";
  m.parts.push_back(
      {"mysql.sql.zst", "mysql-dump", "mysql", "agentchat", 10, 40, std::string(64, 'a'), "", "", 0});
  return m;
}

}  // namespace

TEST(Zstd, RoundTripsAcrossArbitraryChunks) {
  std::string data = randomishData(3 * 1024 * 1024 + 17);
  std::string packed = compress(data);
  EXPECT_LT(packed.size(), data.size());
  EXPECT_EQ(decompress(packed), data);
  EXPECT_EQ(decompress(compress(data, 2)), data);  // multi-threaded frames are standard too
  EXPECT_EQ(decompress(compress("")), "");
}

TEST_F(VolumesOnDisk, ZstdPartsOpenWithTheStockZstdTool) {
  fs::create_directories(dir_);
  std::string data = randomishData(500000);
  std::ofstream(dir_ / "part.zst", std::ios::binary) << compress(data);
  ASSERT_EQ(
      std::system(
          ("zstd -q -d -f " + (dir_ / "part.zst").string() + " -o " + (dir_ / "part").string()).c_str()),
      0);
  std::ifstream in(dir_ / "part", std::ios::binary);
  std::string back((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(back, data);
}

// The last flush of a frame can fill the output buffer exactly (content a multiple of 128 KiB, as
// tars of 4 KiB pages can be): that is a whole frame, not a truncated one. Fed whole and in pieces.
TEST(Zstd, AFrameWhoseEndFillsTheOutputBufferExactlyIsWhole) {
  for (std::size_t size : {std::size_t{128} << 10, std::size_t{256} << 10, std::size_t{1} << 20}) {
    std::string data = randomishData(size);
    for (int threads : {0, 2}) {
      std::string packed = compress(data, threads);
      EXPECT_EQ(decompress(packed), data) << size << " bytes, " << threads << " threads";
      std::string whole;
      ZstdDecompressor once([&whole](std::string_view c) { whole.append(c); }, UINT64_MAX);
      once.write(packed);
      EXPECT_NO_THROW(once.finish()) << size << " bytes fed in one piece";
      EXPECT_EQ(whole, data);
    }
  }
}

TEST(Zstd, TruncatedCorruptAndOversizedInputAreErrors) {
  std::string packed = compress(randomishData(200000));
  EXPECT_THROW(decompress(packed.substr(0, packed.size() - 10)), CompressionError);
  std::string flipped = packed;
  flipped[flipped.size() / 2] ^= 0x40;
  EXPECT_THROW(decompress(flipped), CompressionError);
  // The output cap stops a part that inflates past what its manifest says.
  EXPECT_THROW(decompress(compress(std::string(1 << 20, 'z')), 1000), CompressionError);
}

TEST(Manifest, RoundTrips) {
  Manifest m = sampleManifest();
  m.details = {{"mysql", {{"version", "10.11"}}}};
  Manifest back = parseManifest(toJson(m).dump());
  EXPECT_EQ(back.id, m.id);
  ASSERT_EQ(back.parts.size(), 1u);
  EXPECT_EQ(back.parts[0].rawSize, 40u);
  EXPECT_EQ(back.details["mysql"]["version"], "10.11");
  EXPECT_NE(back.part("mysql.sql.zst"), nullptr);
}

TEST(Manifest, RejectsHostileOrBrokenContent) {
  auto broken = [](auto change) {
    auto json = toJson(sampleManifest());
    change(json);
    return json.dump();
  };
  EXPECT_THROW(parseManifest("not json"), ManifestError);
  EXPECT_THROW(parseManifest(broken([](auto& j) { j["formatVersion"] = 99; })), ManifestError);
  EXPECT_THROW(parseManifest(broken([](auto& j) { j["parts"][0]["name"] = "../../etc/passwd"; })),
               ManifestError);
  EXPECT_THROW(parseManifest(broken([](auto& j) { j["parts"][0]["name"] = "/abs"; })), ManifestError);
  EXPECT_THROW(parseManifest(broken([](auto& j) { j["parts"][0]["name"] = ".hidden"; })), ManifestError);
  EXPECT_THROW(parseManifest(broken([](auto& j) { j["parts"][0]["sha256"] = "xyz"; })), ManifestError);
  EXPECT_THROW(parseManifest(broken([](auto& j) { j["parts"][0]["size"] = -1; })), ManifestError);
  EXPECT_THROW(parseManifest(broken([](auto& j) { j["parts"].push_back(j["parts"][0]); })), ManifestError);
}

TEST_F(VolumesOnDisk, StagedBackupIsInvisibleUntilCommitted) {
  LocalRepository repo(dir_);
  std::string id = repo.newBackupId("agentchat", 1795485600);  // 2026-11-24T02:00:00Z
  EXPECT_EQ(id, "20261124T020000Z");
  {
    auto staging = repo.begin("agentchat", id);
    auto part = staging->addPart("mysql.sql.zst");
    part->write("hello");
    EXPECT_EQ(part->close(), "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824");
    EXPECT_TRUE(repo.list("agentchat").empty());
    // Destroyed without commit: an interrupted backup leaves nothing.
  }
  EXPECT_TRUE(repo.list("agentchat").empty());
  EXPECT_EQ(std::distance(fs::directory_iterator(dir_ / "agentchat"), fs::directory_iterator{}), 0);

  auto staging = repo.begin("agentchat", id);
  staging->addPart("redis.rdb.zst")->write("x");
  Manifest m = sampleManifest();
  staging->commit(m);
  EXPECT_EQ(repo.list("agentchat"), std::vector<std::string>{id});
  EXPECT_EQ(repo.read("agentchat", id).parts.size(), 1u);
  EXPECT_EQ(repo.newBackupId("agentchat", 1795485600), "20261124T020001Z");
  EXPECT_THROW(staging->addPart("../escape"), RepositoryError);
  EXPECT_THROW(repo.read("agentchat", "../../x"), RepositoryError);
}

TEST_F(VolumesOnDisk, PrivateModesWhateverTheUmask) {
  mode_t old = ::umask(0);
  LocalRepository repo(dir_);
  auto staging = repo.begin("agentchat", "20261124T020000Z");
  staging->addPart("a.sql.zst")->close();
  staging->commit(sampleManifest());
  ::umask(old);
  auto mode = [](const fs::path& p) {
    struct stat st {};
    ::stat(p.c_str(), &st);
    return st.st_mode & 0777;
  };
  EXPECT_EQ(mode(dir_), 0700u);
  EXPECT_EQ(mode(dir_ / "agentchat"), 0700u);
  EXPECT_EQ(mode(dir_ / "agentchat/20261124T020000Z"), 0700u);
  EXPECT_EQ(mode(dir_ / "agentchat/20261124T020000Z/a.sql.zst"), 0600u);
  EXPECT_EQ(mode(dir_ / "agentchat/20261124T020000Z/manifest.json"), 0600u);
}

TEST_F(VolumesOnDisk, OneBackupOfAProjectAtATime) {
  LocalRepository repo(dir_);
  auto held = repo.lock("agentchat");
  try {
    repo.lock("agentchat");
    FAIL() << "second lock granted";
  } catch (const RepositoryError& e) {
    EXPECT_NE(std::string(e.what()).find("pid " + std::to_string(::getpid())), std::string::npos) << e.what();
  }
  auto other = repo.lock("other-project");  // other projects are independent
  held.reset();
  EXPECT_NO_THROW(repo.lock("agentchat"));
}

TEST_F(VolumesOnDisk, DigestOfAFileMatchesWhatWasWritten) {
  LocalRepository repo(dir_);
  auto staging = repo.begin("p", "20261124T020000Z");
  auto part = staging->addPart("x.bin");
  std::string data = randomishData(3000000);
  part->write(data);
  std::string written = part->close();
  FileDigest digest = digestFile(dir_ / "p/.partial-20261124T020000Z/x.bin");
  EXPECT_EQ(digest.sha256, written);
  EXPECT_EQ(digest.size, data.size());
  EXPECT_THROW(staging->addPart("x.bin"), RepositoryError);  // never overwrites
}

namespace {

// A committed backup in `repo` whose one part holds `content` (size and sha256 as stored).
void storeBackup(Repository& repo, const std::string& content) {
  auto staging = repo.begin("agentchat", "20261124T020000Z");
  auto part = staging->addPart("mysql.sql.zst");
  part->write(content);
  Manifest m = sampleManifest();
  m.parts[0].size = content.size();
  m.parts[0].sha256 = part->close();
  staging->commit(m);
}

base::ChunkSource sourceOf(const std::string& bytes) {
  auto offset = std::make_shared<std::size_t>(0);
  return [&bytes, offset](char* buffer, std::size_t capacity) {
    std::size_t n = std::min(capacity, bytes.size() - *offset);
    std::copy_n(bytes.data() + *offset, n, buffer);
    *offset += n;
    return n;
  };
}

}  // namespace

TEST_F(VolumesOnDisk, ABundleCarriesABackupToAnotherRepositoryAndADamagedOneLeavesNothing) {
  LocalRepository from(dir_ / "from"), to(dir_ / "to");
  std::string content(300000, 'q');
  storeBackup(from, content);
  std::string bundle;
  volumes::writeBundle(from, "agentchat", "20261124T020000Z", [&](std::string_view c) { bundle.append(c); });

  auto result = volumes::importBundle(to, sourceOf(bundle));
  EXPECT_EQ(result.id, "20261124T020000Z");
  EXPECT_EQ(result.parts, 1u);
  EXPECT_EQ(to.list("agentchat"), std::vector<std::string>{"20261124T020000Z"});
  EXPECT_EQ(to.read("agentchat", "20261124T020000Z").parts[0].sha256,
            from.read("agentchat", "20261124T020000Z").parts[0].sha256);
  EXPECT_THROW(volumes::importBundle(to, sourceOf(bundle)), RepositoryError);  // already there

  LocalRepository other(dir_ / "other");
  std::string damaged = bundle;
  damaged[damaged.find(std::string(100, 'q')) + 50] = 'x';  // one byte of the part's payload
  try {
    volumes::importBundle(other, sourceOf(damaged));
    FAIL() << "imported a damaged bundle";
  } catch (const RepositoryError& e) {
    EXPECT_THAT(e.what(), ::testing::HasSubstr("sha256 mismatch"));
  }
  std::string truncated = bundle.substr(0, bundle.size() / 2);
  EXPECT_THROW(volumes::importBundle(other, sourceOf(truncated)), RepositoryError);
  EXPECT_THROW(volumes::importBundle(other, sourceOf("not a tar at all")), RepositoryError);
  EXPECT_TRUE(other.list("agentchat").empty());
  for (const auto& e : fs::directory_iterator(dir_ / "other" / "agentchat"))
    EXPECT_EQ(e.path().filename(), ".lock") << "left behind: " << e.path();
}

TEST(StreamPipe, CarriesAStreamAcrossThreadsWithinItsCapacityAndPassesFailuresOn) {
  volumes::StreamPipe pipe(64 * 1024);
  std::string data = randomishData(5 * 1024 * 1024 + 3);
  std::thread producer([&] {
    for (std::size_t at = 0; at < data.size(); at += 100000)
      pipe.write(std::string_view(data).substr(at, 100000));
    pipe.close();
  });
  std::string got;
  char buffer[7777];
  while (std::size_t n = pipe.read(buffer, sizeof buffer)) got.append(buffer, n);
  producer.join();
  EXPECT_EQ(got, data);

  volumes::StreamPipe failing;
  std::thread broken([&] {
    failing.write("partial");
    failing.fail(std::make_exception_ptr(std::runtime_error("source engine went away")));
  });
  broken.join();
  EXPECT_THROW(
      {
        while (failing.read(buffer, sizeof buffer) > 0) {
        }
      },
      std::runtime_error);

  volumes::StreamPipe abandoned(16);
  std::thread blocked(
      [&] { EXPECT_THROW(abandoned.write(std::string(1000, 'x')), volumes::StreamPipe::PipeClosed); });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  abandoned.abandon();  // the reader gave up: the writer blocked on a full pipe is released
  blocked.join();
}

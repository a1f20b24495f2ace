// TarWalker as a filter: what it keeps is a valid tar stream with exactly the kept entries,
// whatever the format (pax, GNU long names) and however the input is chunked.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "base/tar_walker.hpp"

namespace fs = std::filesystem;

namespace {

std::string run(const std::string& cmd) {
  std::string out;
  FILE* p = ::popen(cmd.c_str(), "r");
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  EXPECT_EQ(::pclose(p), 0) << cmd;
  return out;
}

class TarFilter : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("agentchat-filter-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "in/logs/" / std::string(120, 'd'));
    std::ofstream(dir_ / "in/logs/old.log") << std::string(1000, 'o');
    std::ofstream(dir_ / "in/logs/new.log") << std::string(70000, 'n');
    std::ofstream(dir_ / "in/logs" / std::string(120, 'd') / "deep-new.log") << "n";
    std::ofstream(dir_ / "in/logs/skip.tmp") << "t";
    run("touch -d '2026-01-01 00:00:00' " + (dir_ / "in/logs/old.log").string());
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

}  // namespace

TEST_P(TarFilter, KeepsOnlyWhatThePredicateKeepsAsAValidArchive) {
  std::string tar = run("tar --format=" + GetParam() + " -C " + (dir_ / "in").string() + " -cf - logs");
  std::int64_t cutoff = 1767225600 + 3600;  // 2026-01-01T01:00Z
  for (std::size_t step : {std::size_t{1}, std::size_t{511}, std::size_t{4096}, tar.size()}) {
    std::string out;
    auto filter = base::TarWalker::filter(
        [&](const base::TarEntry& e) {
          bool tmp = e.name.size() > 4 && e.name.compare(e.name.size() - 4, 4, ".tmp") == 0;
          return e.type == '5' || (e.mtime >= cutoff && !tmp);
        },
        [&](std::string_view raw) { out.append(raw); });
    for (std::size_t at = 0; at < tar.size(); at += step) filter.feed(std::string_view(tar).substr(at, step));
    filter.finish();
    EXPECT_EQ(out.size() % 512, 0u);
    std::ofstream(dir_ / "out.tar", std::ios::binary) << out;
    std::string listed = run("tar -tf " + (dir_ / "out.tar").string() + " | sort");
    std::string expected = "logs/\nlogs/" + std::string(120, 'd') + "/\nlogs/" + std::string(120, 'd') +
                           "/deep-new.log\nlogs/new.log\n";
    EXPECT_EQ(listed, expected) << "format " << GetParam() << ", chunk " << step;
    EXPECT_EQ(run("tar -xOf " + (dir_ / "out.tar").string() + " logs/new.log"), std::string(70000, 'n'));
  }
}

INSTANTIATE_TEST_SUITE_P(Formats, TarFilter, ::testing::Values("pax", "gnu"));

// What an engine sends when a file shrinks while it is read: the stream stops inside that entry, or
// (a file that vanished after its header) between entries without the end-of-archive marker.
// Neither is a whole archive; the whole stream is.
TEST_P(TarFilter, RequireEndTellsAWholeStreamFromOneCutShort) {
  std::string tar = run("tar --format=" + GetParam() + " -C " + (dir_ / "in").string() + " -cf - logs");
  auto walked = [&](std::size_t length) {
    base::TarWalker walker([](const base::TarEntry&) { return false; }, [](std::string_view) {});
    walker.feed(std::string_view(tar).substr(0, length));
    return walker;
  };
  EXPECT_NO_THROW(walked(tar.size()).requireEnd());
  // GNU tar pads to 10 KiB records; the last entry's data ends before the first of the zero blocks.
  std::size_t lastData = tar.find(std::string(70000, 'n')) + 70000;
  ASSERT_NE(lastData, std::string::npos);
  std::size_t boundary = (lastData + 511) / 512 * 512;
  try {
    walked(lastData - 100).requireEnd();
    ADD_FAILURE() << "a stream cut inside an entry passed";
  } catch (const base::TarError& e) {
    EXPECT_NE(std::string(e.what()).find("ended inside"), std::string::npos) << e.what();
  }
  if (boundary + 1024 <= tar.size() && tar.find_first_not_of('\0', boundary) != std::string::npos) {
    // logs/new.log is not the last entry: cut at the boundary after it, between two entries.
    try {
      walked(boundary).requireEnd();
      ADD_FAILURE() << "a stream cut between entries passed";
    } catch (const base::TarError& e) {
      EXPECT_NE(std::string(e.what()).find("no end-of-archive marker"), std::string::npos) << e.what();
    }
  }
}

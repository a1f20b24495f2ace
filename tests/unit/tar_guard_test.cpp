// A restore refuses tar parts with entries that could write outside the target.
#include "volumes/tar_guard.hpp"

#include "tests/support/tar_blocks.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <vector>

using base::TarEntry;
using base::TarError;
using volumes::TarGuard;

namespace {

using agentchat_test::ustarBlock;

// Runs the guard over a tar stream; returns the error, or "" when every entry passed.
std::string guard(const std::vector<std::string>& blocks) {
  std::string tar;
  for (const auto& b : blocks) tar += b;
  tar += std::string(1024, '\0');
  TarGuard g;
  base::TarWalker walker(
      [&](const base::TarEntry& e) {
        g.check(e);
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

}  // namespace

TEST(TarGuard, OrdinaryVolumeContentPasses) {
  EXPECT_EQ(guard({ustarBlock("./", '5'), ustarBlock("./data/", '5'), ustarBlock("./data/a.txt", '0', "", 3),
                   ustarBlock("./data/current", '2', "a.txt"), ustarBlock("./up", '2', "data/../data/a.txt"),
                   ustarBlock("./data/b.txt", '1', "./data/a.txt"), ustarBlock("./data/x/../y", '0')}),
            "");
}

TEST(TarGuard, EntriesThatLeaveTheTargetAreRefused) {
  EXPECT_NE(guard({ustarBlock("/etc/passwd", '0', "", 4)}).find("leaves the target"), std::string::npos);
  EXPECT_NE(guard({ustarBlock("./../escape", '0')}).find("leaves the target"), std::string::npos);
  EXPECT_NE(guard({ustarBlock("a/../../escape", '0')}).find("leaves the target"), std::string::npos);
  EXPECT_NE(guard({ustarBlock("./link", '2', "/etc")}).find("absolute"), std::string::npos);
  EXPECT_NE(guard({ustarBlock("./a/link", '2', "../../etc")}).find("outside"), std::string::npos);
  EXPECT_NE(guard({ustarBlock("./hard", '1', "../etc/shadow")}).find("hardlink"), std::string::npos);
  EXPECT_NE(guard({ustarBlock("./dev", '3')}).find("device"), std::string::npos);
  EXPECT_NE(guard({ustarBlock("./fifo", '6')}).find("FIFO"), std::string::npos);
}

TEST(TarGuard, NothingMayBeWrittenThroughASymlink) {
  // The link itself stays inside, but what follows would land wherever it points next time.
  auto error = guard(
      {ustarBlock("./a/", '5'), ustarBlock("./a/link", '2', ".."), ustarBlock("./a/link/file", '0', "", 1)});
  EXPECT_NE(error.find("below the symlink a/link"), std::string::npos) << error;
}

TEST(TarGuard, ContainedPathNormalises) {
  EXPECT_EQ(volumes::containedPath("./a/b/../c/"), "a/c");
  EXPECT_EQ(volumes::containedPath("."), "");
  EXPECT_EQ(volumes::containedPath("a/.."), "");
  EXPECT_FALSE(volumes::containedPath("a/../.."));
  EXPECT_FALSE(volumes::containedPath("/a"));
}

TEST(TarGuard, LongLinkTargetsAreReadFromGnuAndPaxHeaders) {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / ("agentchat-guard-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir / "in");
  std::string longTarget = "../../" + std::string(150, 'x');
  fs::create_symlink(longTarget, dir / "in" / "link");
  for (std::string format : {"gnu", "pax"}) {
    std::string cmd = "tar --format=" + format + " -C " + (dir / "in").string() + " -cf - link";
    FILE* p = ::popen(cmd.c_str(), "r");
    std::string tar;
    char buf[4096];
    std::size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) tar.append(buf, n);
    ASSERT_EQ(::pclose(p), 0);
    std::string seen;
    TarGuard g;
    base::TarWalker walker(
        [&](const base::TarEntry& e) {
          seen = e.linkTarget;
          g.check(e);
          return false;
        },
        [](std::string_view) {});
    EXPECT_THROW(walker.feed(tar), base::TarError) << format;
    EXPECT_EQ(seen, longTarget) << format;
  }
  fs::remove_all(dir);
}

// The CLI as users see it, against golden files (tests/golden/): the help of every command and the
// exit codes of bad usage. A change to them is deliberate: tests/golden/update.sh writes new ones.
// No engine needed.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "e2e_support.hpp"

namespace fs = std::filesystem;

TEST(Golden, TheHelpOfEveryCommandIsAsRecorded) {
  fs::path dir = fs::path(e2e::sourceDir()) / "tests/golden/help";
  ASSERT_TRUE(fs::is_directory(dir)) << dir;
  int compared = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    std::string name = entry.path().stem().string();
    std::vector<std::string> argv{e2e::pluginPath()};
    if (name != "docker-agentchat") {
      std::istringstream words(name);
      for (std::string w; std::getline(words, w, '-');) argv.push_back(w);
    }
    argv.push_back("--help");
    auto result = e2e::runProcess(argv);
    std::ifstream in(entry.path());
    std::stringstream golden;
    golden << in.rdbuf();
    EXPECT_EQ(result.exitCode, 0) << name;
    EXPECT_EQ(result.out, golden.str()) << name << ": the help text changed; if that is deliberate, run "
                                        << "tests/golden/update.sh and commit tests/golden/help/";
    ++compared;
  }
  EXPECT_GE(compared, 19);
}

TEST(Golden, BadUsageExitsWith2AndSaysWhatIsWrong) {
  struct Case {
    std::vector<std::string> args;
    std::string says;
  };
  for (const auto& c : std::vector<Case>{{{"no-such-command"}, "no-such-command"},
                                         {{"backup", "--consistency", "sometimes"}, "sometimes"},
                                         {{"restore", "--health-wait", "-3"}, "--health-wait"},
                                         {{"prune", "--keep-daily"}, "--keep-daily"},
                                         {{"backup", "--no-such-flag"}, "--no-such-flag"}}) {
    std::vector<std::string> argv{e2e::pluginPath()};
    argv.insert(argv.end(), c.args.begin(), c.args.end());
    auto result = e2e::runProcess(argv);
    EXPECT_EQ(result.exitCode, 2) << c.args.front() << ": " << result.err;
    EXPECT_NE(result.err.find(c.says), std::string::npos) << result.err;
  }
}

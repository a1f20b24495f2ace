#pragma once
// A second Docker engine for one test (tests/engine2.sh): its own network namespace and data,
// removed with everything on it at scope end. start() never skips: a test that needs it fails
// with the daemon's log when it cannot start.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <string>
#include <thread>

#include "dockerapi/context.hpp"
#include "dockerapi/http_engine.hpp"
#include "e2e_support.hpp"

namespace e2e {

struct SecondEngine {
  std::string script = sourceDir() + "/tests/engine2.sh";
  std::filesystem::path dir = std::filesystem::path("/var/tmp") / uniqueName("agentchat-engine2");
  std::map<std::string, std::string> env;  // e.g. ENGINE2_VOLUMES_TMPFS
  std::string host;                        // unix://.../docker.sock once started

  ProcessResult run(const std::string& what) const { return runProcess({"bash", script, what, dir}, env); }
  // Starts it; the result says why not. Sets `host`.
  ProcessResult start() {
    auto result = run("start");
    if (result.exitCode == 0) host = result.out.substr(0, result.out.find('\n'));
    return result;
  }
  std::unique_ptr<dockerapi::HttpEngine> engine() const {
    dockerapi::ConnectionOptions options;
    options.host = host;
    return std::make_unique<dockerapi::HttpEngine>(
        dockerapi::resolveEndpoint(options, dockerapi::processEnviron()).endpoint);
  }
  // Runs `command` (given the test hook's environment) on another thread until it holds at `fault`
  // ("restore:hold:…"), stops this engine there, lets the command go on into the stopped engine, and
  // returns how it ended.
  ProcessResult stopWhileHeld(
      const std::string& fault, const std::filesystem::path& holdFile,
      const std::function<ProcessResult(const std::map<std::string, std::string>&)>& command) {
    std::ofstream(holdFile) << "hold";
    auto pending = std::async(std::launch::async, [&] {
      return command({{"AGENTCHAT_TEST_FAULT", fault}, {"AGENTCHAT_TEST_HOLD", holdFile.string()}});
    });
    std::filesystem::path reached = holdFile.string() + ".reached";
    auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(3);
    while (!std::filesystem::exists(reached) && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    EXPECT_TRUE(std::filesystem::exists(reached)) << "the command never reached " << fault;
    EXPECT_EQ(run("stop").exitCode, 0);
    std::filesystem::remove(holdFile);
    return pending.get();
  }
  ~SecondEngine() { run("remove"); }
};

}  // namespace e2e

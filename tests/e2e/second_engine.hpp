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
#include <vector>

#include "dockerapi/context.hpp"
#include "dockerapi/http_engine.hpp"
#include "e2e_support.hpp"
#include "holding_proxy.hpp"

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
  // Runs `command` on another thread, given the address of a proxy in front of this engine (for
  // DOCKER_HOST or --to-host), until the proxy holds the request `at` (once one matching `after` has
  // passed); stops this engine there, lets the command go on into the stopped engine, and returns
  // how it ended.
  ProcessResult stopWhileHeld(const std::string& at, const std::vector<std::string>& after,
                              const std::function<ProcessResult(const std::string& proxyHost)>& command) {
    testsupport::HoldingProxy proxy(host, dir);
    proxy.holdAt(at, after);
    auto pending = std::async(std::launch::async, [&] { return command(proxy.address()); });
    EXPECT_TRUE(proxy.waitHeld(std::chrono::minutes(3))) << "the command never reached " << at;
    EXPECT_EQ(run("stop").exitCode, 0);
    proxy.release();
    return pending.get();
  }
  ~SecondEngine() { run("remove"); }
};

}  // namespace e2e

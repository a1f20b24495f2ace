#pragma once
// A second Docker engine for one test (tests/engine2.sh): its own network namespace and data,
// removed with everything on it at scope end. start() never skips: a test that needs it fails
// with the daemon's log when it cannot start.
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <string>

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
  ~SecondEngine() { run("remove"); }
};

}  // namespace e2e

// The engine contract on the fake engine: the flows' unit tests stand on these answers.
#include <gtest/gtest.h>

#include "tests/support/engine_contract.hpp"
#include "tests/support/fake_engine.hpp"

namespace {

using agentchat_test::ExecReply;
using agentchat_test::ExecRequest;

// The fake's scripted answers to the contract's commands: what a shell in a real container does.
class FakeScene : public engine_contract::Scene {
 public:
  FakeScene() {
    engine_.addImage("agentchat-test/app:e2e");
    engine_.onExec([](const ExecRequest& request) -> std::optional<ExecReply> {
      if (request.cmd == engine_contract::kStreamsCommand)
        return ExecReply{engine_contract::kStreamsOut, engine_contract::kStreamsErr,
                         engine_contract::kStreamsExitCode};
      if (request.cmd == engine_contract::kEchoInputCommand)
        return ExecReply{request.input.value_or(""), "", 0};
      return std::nullopt;
    });
  }
  dockerapi::Engine& engine() override { return engine_; }
  std::string createIdle(const std::string& volume) override {
    dockerapi::ContainerSpec spec;
    spec.name = "idle-" + std::to_string(++created_);
    spec.image = "agentchat-test/app:e2e";
    spec.cmd = {"sleep", "infinity"};
    if (!volume.empty()) spec.mounts.push_back({dockerapi::MountSpec::Type::Volume, volume, "/data", false});
    return engine_.createContainer(spec);
  }
  std::string newVolumeName() override { return "contract-volume-" + std::to_string(++volumes_); }

 private:
  agentchat_test::FakeEngine engine_;
  int created_ = 0;
  int volumes_ = 0;
};

class EngineContractOnFake : public ::testing::Test {
 protected:
  engine_contract::Scene& scene() { return scene_; }

 private:
  FakeScene scene_;
};

}  // namespace

ENGINE_CONTRACT_TESTS(EngineContractOnFake)

// The engine contract on the real engine: proves the fake engine's answers (tests/support) are the
// engine's own.
#include <gtest/gtest.h>

#include "e2e_support.hpp"
#include "tests/support/engine_contract.hpp"

namespace {

class EngineScene : public engine_contract::Scene {
 public:
  explicit EngineScene(dockerapi::Engine& engine) : engine_(engine) {}
  ~EngineScene() override {
    for (const auto& id : containers_) {
      try {
        engine_.removeContainer(id, true);
      } catch (...) {
      }
    }
    for (const auto& name : volumes_) {
      try {
        engine_.removeVolume(name, true);
      } catch (...) {
      }
    }
  }
  dockerapi::Engine& engine() override { return engine_; }
  std::string createIdle(const std::string& volume) override {
    dockerapi::ContainerSpec spec;
    spec.name = e2e::uniqueName("agentchat-e2e-contract");
    spec.image = "agentchat-test/app:e2e";
    spec.entrypoint = std::vector<std::string>{"sleep"};
    spec.cmd = {"infinity"};
    spec.labels = {{"io.agentchat.e2e", "contract"}};
    if (!volume.empty()) spec.mounts.push_back({dockerapi::MountSpec::Type::Volume, volume, "/data", false});
    containers_.push_back(engine_.createContainer(spec));
    return containers_.back();
  }
  std::string newVolumeName() override {
    volumes_.push_back(e2e::uniqueName("agentchat-e2e-contract"));
    return volumes_.back();
  }

 private:
  dockerapi::Engine& engine_;
  std::vector<std::string> containers_;
  std::vector<std::string> volumes_;
};

class EngineContractOnEngine : public ::testing::Test {
 protected:
  void SetUp() override {
    REQUIRE_ENGINE(engine);
    scene_ = std::make_unique<EngineScene>(engine);
  }
  engine_contract::Scene& scene() { return *scene_; }

 private:
  std::unique_ptr<EngineScene> scene_;
};

}  // namespace

ENGINE_CONTRACT_TESTS(EngineContractOnEngine)

#include "plugin/service_twin.hpp"

#include <spdlog/spdlog.h>

#include "dockerapi/helper_container.hpp"
#include "plugin/restore_steps.hpp"

namespace agentchat {

ServiceTwin::ServiceTwin(dockerapi::Engine& engine, const compose::StackService& service,
                         const dockerapi::ContainerInfo& source)
    : engine_(engine), service_(service) {
  dockerapi::ContainerSpec spec;
  spec.image = source.image;
  spec.env = source.env;
  spec.cmd = source.cmd;
  spec.entrypoint = source.entrypoint;
  spec.user = source.user;
  spec.labels = {{dockerapi::kHelperLabel, "true"}, {"io.agentchat.purpose", "stand-in for " + service.name}};
  spec.networkDisabled = true;
  for (const auto& v : service.volumes) {
    spec.mounts.push_back({dockerapi::MountSpec::Type::Volume, v.volumeName, v.target, v.readOnly});
  }
  id_ = engine_.createContainer(spec);
}

ServiceTwin::~ServiceTwin() {
  try {
    engine_.removeContainer(id_, true);
  } catch (const std::exception& e) {
    spdlog::warn("could not remove the stand-in container {} for {}: {} (docker rm -f it)", id_.substr(0, 12),
                 service_.name, e.what());
  }
}

void ServiceTwin::startAndWait() {
  engine_.startContainer(id_);
  waitUntilServing(engine_, service_, id_);
}

void ServiceTwin::stop() {
  engine_.stopContainer(id_, 60);
}

}  // namespace agentchat

#include "plugin/restore/service_twin.hpp"

#include <spdlog/spdlog.h>

#include "dockerapi/helper_container.hpp"
#include "plugin/databases/database_login.hpp"
#include "plugin/restore/restore_steps.hpp"
#include "volumes/part_reader.hpp"

namespace agentchat {

ServiceTwin::ServiceTwin(dockerapi::Engine& target, const compose::StackService& service,
                         dockerapi::Engine& source, const std::string& container)
    : engine_(target), service_(service), login_(databaseLogin(source, service)) {
  auto info = source.inspectContainer(container);
  auto files = secretFiles(source, service, container, info.env);
  dockerapi::ContainerSpec spec;
  spec.image = info.image;
  spec.env = info.env;
  spec.cmd = info.cmd;
  spec.entrypoint = info.entrypoint;
  spec.user = info.user;
  spec.labels = {{dockerapi::kHelperLabel, "true"}, {"io.agentchat.purpose", "stand-in for " + service.name}};
  spec.networkDisabled = true;
  for (const auto& v : service.volumes) {
    spec.mounts.push_back({dockerapi::MountSpec::Type::Volume, v.volumeName, v.target, v.readOnly});
  }
  id_ = engine_.createContainer(spec);
  // Missing directories on the way are created by the engine as it unpacks. A failure here ends the
  // constructor, so no destructor removes the container: removed here.
  try {
    for (const auto& [path, content] : files) {
      engine_.putArchive(id_, "/",
                         volumes::singleFileTar(path.substr(1), content.size(), base::bytesSource(content)));
    }
  } catch (...) {
    try {
      engine_.removeContainer(id_, true);
    } catch (const std::exception&) {
      // the original failure is the one to report
    }
    throw;
  }
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
  waitUntilServing(engine_, service_, id_, login_);
}

void ServiceTwin::stop() {
  engine_.stopContainer(id_, 60);
}

}  // namespace agentchat

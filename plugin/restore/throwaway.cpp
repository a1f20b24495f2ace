#include "plugin/restore/throwaway.hpp"

#include <spdlog/spdlog.h>

#include <fstream>

#include "base/sha256.hpp"
#include "dockerapi/helper_container.hpp"

namespace agentchat {

std::string drillToken() {
  std::ifstream urandom("/dev/urandom", std::ios::binary);
  char bytes[16];
  urandom.read(bytes, sizeof bytes);
  return base::sha256Hex(std::string_view(bytes, sizeof bytes)).substr(0, 24);
}

Throwaway::Throwaway(dockerapi::Engine& engine, dockerapi::ContainerSpec spec,
                     const std::vector<std::string>& dataPaths, const std::string& purpose)
    : engine_(engine) {
  std::string name = "agentchat-drill-" + drillToken().substr(0, 12);
  try {
    for (std::size_t i = 0; i < dataPaths.size(); ++i) {
      dockerapi::VolumeSpec volume;
      volume.name = name + (i == 0 ? "" : "-" + std::to_string(i));
      volume.labels = {{dockerapi::kHelperLabel, purpose}};
      volumes_.push_back(engine_.createVolume(volume).name);
      spec.mounts.push_back({dockerapi::MountSpec::Type::Volume, volumes_.back(), dataPaths[i], false});
    }
    spec.name = name;
    spec.labels[dockerapi::kHelperLabel] = purpose;
    spec.networkDisabled = true;
    id_ = engine_.createContainer(spec);
  } catch (...) {
    removeAll();  // the volumes made so far
    throw;
  }
}

Throwaway::~Throwaway() {
  removeAll();
}

void Throwaway::removeAll() noexcept {
  try {
    if (!id_.empty()) engine_.removeContainer(id_, true);
    id_.clear();
    for (const auto& volume : volumes_) engine_.removeVolume(volume, true);
    volumes_.clear();
  } catch (const std::exception& e) {
    spdlog::warn(
        "could not remove a drill's container or volumes ({}): {} (remove them by hand; they carry "
        "the label {})",
        volumes_.empty() ? id_ : volumes_.front(), e.what(), dockerapi::kHelperLabel);
  }
}

}  // namespace agentchat

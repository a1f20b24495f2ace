#include "dockerapi/helper_container.hpp"

#include <spdlog/spdlog.h>

#include <random>

#include "base/process_owner.hpp"
#include "dockerapi/errors.hpp"

namespace dockerapi {

std::string pickHelperImage(Engine& engine, const std::vector<std::string>& candidates) {
  std::string tried;
  for (const std::string& image : candidates) {
    if (image.empty()) continue;
    if (engine.imageExists(image)) return image;
    tried += (tried.empty() ? "" : ", ") + image;
  }
  throw EngineError(ErrorKind::NotFound,
                    "no image is available locally to host a helper container (tried: " +
                        (tried.empty() ? std::string("none") : tried) +
                        "); start the stack once with `docker compose up` so its images are present");
}

namespace {
std::string randomSuffix() {
  std::random_device device;
  std::uniform_int_distribution<unsigned> digit(0, 15);
  std::string out;
  for (int i = 0; i < 12; ++i) out.push_back("0123456789abcdef"[digit(device)]);
  return out;
}
}  // namespace

HelperContainer::HelperContainer(Engine& engine, const std::string& image, std::vector<MountSpec> mounts,
                                 const std::string& purpose, std::vector<std::string> command, bool network)
    : engine_(&engine) {
  ContainerSpec spec;
  spec.name = "agentchat-helper-" + randomSuffix();
  spec.image = image;
  // Without a command it is never started; one is still required by the engine when the image has none.
  spec.cmd =
      command.empty() ? std::vector<std::string>{"/agentchat-helper-is-never-started"} : std::move(command);
  spec.entrypoint = std::vector<std::string>{};
  spec.labels = {
      {kHelperLabel, "true"}, {"io.agentchat.purpose", purpose}, {base::kOwnerLabel, base::thisProcess()}};
  spec.mounts = std::move(mounts);
  spec.networkDisabled = !network;
  id_ = engine.createContainer(spec);
}

HelperContainer HelperContainer::forVolume(Engine& engine, const std::string& image,
                                           const std::string& volume, bool readOnly,
                                           const std::string& purpose) {
  return HelperContainer(engine, image, {MountSpec{MountSpec::Type::Volume, volume, kVolumeMount, readOnly}},
                         purpose);
}

HelperContainer::HelperContainer(HelperContainer&& other) noexcept
    : engine_(other.engine_), id_(std::move(other.id_)) {
  other.id_.clear();
}

HelperContainer::~HelperContainer() {
  if (id_.empty()) return;
  try {
    engine_->removeContainer(id_, /*force=*/true);
  } catch (const std::exception& error) {
    spdlog::warn("could not remove helper container {}: {} (remove it with `docker rm -f {}`)",
                 id_.substr(0, 12), error.what(), id_.substr(0, 12));
  }
}

}  // namespace dockerapi

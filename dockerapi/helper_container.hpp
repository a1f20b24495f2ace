#pragma once
// To read or write a volume that no container mounts, we create a container with the volume
// mounted and use the archive endpoints on it (no need to start it). It is always removed afterwards.
#include <string>
#include <vector>

#include "dockerapi/engine.hpp"

namespace dockerapi {

// The first of `candidates` present in the engine's image store (the stack's own images first).
// Throws EngineError(NotFound) naming all of them when none is present.
std::string pickHelperImage(Engine& engine, const std::vector<std::string>& candidates);

class HelperContainer {
 public:
  // Where a single volume is mounted in the helper.
  static constexpr const char* kVolumeMount = "/agentchat/volume";

  // With a `command`, the helper is meant to be started (e.g. to empty a volume); without, never.
  // Without `network` it has none (NetworkMode none); with it, the engine's default network.
  HelperContainer(Engine& engine, const std::string& image, std::vector<MountSpec> mounts,
                  const std::string& purpose, std::vector<std::string> command = {}, bool network = false);
  // One volume, mounted at kVolumeMount.
  static HelperContainer forVolume(Engine& engine, const std::string& image, const std::string& volume,
                                   bool readOnly, const std::string& purpose);
  ~HelperContainer();
  HelperContainer(HelperContainer&& other) noexcept;
  HelperContainer(const HelperContainer&) = delete;
  HelperContainer& operator=(const HelperContainer&) = delete;
  HelperContainer& operator=(HelperContainer&&) = delete;

  const std::string& id() const { return id_; }

 private:
  Engine* engine_;
  std::string id_;
};

inline constexpr const char* kHelperLabel = "io.agentchat.helper";

}  // namespace dockerapi

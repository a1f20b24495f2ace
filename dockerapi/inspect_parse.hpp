#pragma once
// The engine's JSON answers read into our types. Pure, so each API version's shape can be tested
// from recorded bodies. Every field read here has kept its name and meaning from API 1.41
// (Engine 20.10) to 1.51 (Engine 28; Engine 29 answers 1.51 requests the same way); what changed
// around them is noted where it is read.
#include <nlohmann/json.hpp>
#include <vector>

#include "dockerapi/types.hpp"

namespace dockerapi {

VersionInfo versionInfoFrom(const nlohmann::json& version);                        // GET /version
std::vector<ContainerSummary> containerSummariesFrom(const nlohmann::json& list);  // GET /containers/json
ContainerInfo containerInfoFrom(nlohmann::json container);  // GET /containers/{id}/json
VolumeInfo volumeInfoFrom(const nlohmann::json& volume);    // GET /volumes/{name}
ImageInfo imageInfoFrom(const nlohmann::json& image);       // GET /images/{name}/json

}  // namespace dockerapi

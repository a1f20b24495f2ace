#include "plugin/cli/metadata.hpp"

#include <nlohmann/json.hpp>

#include "plugin/cli/build_info.hpp"

namespace agentchat {

std::string pluginMetadataJson() {
  nlohmann::ordered_json metadata = {
      {"SchemaVersion", "0.1.0"},
      {"Vendor", "AgentChat"},
      {"Version", kVersion},
      {"ShortDescription", "Back up, restore and migrate a compose stack (MySQL, Redis, volumes)"},
      {"URL", kHomepage},
  };
  return metadata.dump();
}

}  // namespace agentchat

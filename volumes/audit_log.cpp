#include "volumes/audit_log.hpp"

namespace volumes {

nlohmann::json partDigests(const Manifest& manifest) {
  nlohmann::json parts = nlohmann::json::array();
  for (const auto& p : manifest.parts) parts.push_back({{"name", p.name}, {"sha256", p.sha256}});
  return parts;
}

}  // namespace volumes

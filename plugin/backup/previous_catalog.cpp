#include "plugin/backup/previous_catalog.hpp"

#include <spdlog/spdlog.h>

#include "base/sha256.hpp"

namespace agentchat {

using nlohmann::json;

std::optional<PreviousCatalog> previousCatalog(const volumes::Repository& repository,
                                               const std::string& project, const std::string& part,
                                               const std::string& section) {
  for (const auto& id : repository.list(project)) {
    try {
      auto manifest = repository.read(project, id);
      const auto* record = manifest.part(part);
      const auto& listed = manifest.details.value(section, json::object());
      if (!record || !record->chunked() || !listed.contains(part)) continue;
      // The file is always PART.catalog: a name from the manifest never becomes a path here.
      if (listed[part].at("catalog").get<std::string>() != part + ".catalog") continue;
      return PreviousCatalog{id, part + ".catalog", listed[part].at("sha256").get<std::string>()};
    } catch (const std::exception&) {
      continue;  // an unreadable manifest is verify's business
    }
  }
  return std::nullopt;
}

bool catalogIntact(const volumes::Repository& repository, const std::string& project,
                   const PreviousCatalog& c) {
  try {
    auto file = repository.openPart(project, c.id, c.file);
    base::Sha256 sha;
    char buffer[64 * 1024];
    while (std::size_t n = file->read(buffer, sizeof buffer)) sha.update(std::string_view(buffer, n));
    if (sha.hexDigest() == c.sha256) return true;
    spdlog::warn("backup {}: catalog {} does not match its manifest's sha256; this backup reads every file",
                 c.id, c.file);
  } catch (const base::Error& e) {
    spdlog::warn("backup {}: catalog {} cannot be read ({}); this backup reads every file", c.id, c.file,
                 e.what());
  }
  return false;
}

}  // namespace agentchat

#pragma once
// `verify --deep`: a restore drill. Each database part is loaded into a throwaway container started
// from the image the service ran, and what comes back is compared with the manifest: row counts
// and column fingerprints per table for MySQL, key counts per database for Redis, the catalog of
// each database for PostgreSQL (postgres_drill.hpp). The databases of a
// sqlite part are opened on this host and checked (sqlite_drill.hpp). Everything the
// drill creates (containers, volumes) carries the helper label and is removed, also on failure.
#include <filesystem>
#include <string>
#include <vector>

#include "dockerapi/engine.hpp"
#include "volumes/manifest.hpp"
#include "volumes/part_decoder.hpp"
#include "volumes/repository.hpp"

namespace agentchat {

struct DrillResult {
  std::string part;
  bool ok = false;
  std::vector<std::string> problems;  // "agentchat.user: 3 rows in the manifest, 2 after loading"
  double seconds = 0;
};

// `keys` open an encrypted backup's parts.
std::vector<DrillResult> restoreDrill(dockerapi::Engine& engine, const volumes::Manifest& manifest,
                                      const volumes::BackupRef& backup, const volumes::PartKeys* keys);

}  // namespace agentchat

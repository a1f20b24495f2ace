#pragma once
// One backup as a single tar file, for moves without a network path between the hosts (where one
// would scp the backup directory): "<project>/<id>/manifest.json" first, then every part exactly as
// stored (still compressed, and encrypted when it is). Importing checks every part's size and
// sha256 against the manifest on the way in and commits the backup only when all of them match.
#include <cstdint>
#include <string>
#include <vector>

#include "volumes/age_keys.hpp"

#include "base/streams.hpp"
#include "volumes/repository.hpp"

namespace volumes {

// A part kept as chunks goes in as one .zst file; an encrypted backup's as one age file sealed to
// `resealTo` (the backup's own recipients; RepositoryError without them).
void writeBundle(const Repository& repository, const std::string& project, const std::string& id,
                 const base::ChunkSink& out, const std::vector<AgeRecipient>& resealTo = {});

struct ImportResult {
  std::string project, id;
  std::uint64_t parts = 0, bytes = 0;
};

// Throws RepositoryError or ManifestError naming what is wrong; nothing is kept then.
ImportResult importBundle(Repository& repository, base::ChunkSource in);

}  // namespace volumes

#pragma once
// Checking a stored part without the engine: its size and sha256 against the manifest, every zstd
// frame decoded to the recorded raw size, and what is inside: a tar's headers and entry bounds, a
// dump's closing "-- Dump completed" line, an RDB file's magic. One read of the file does all.
#include <filesystem>
#include <string>

#include "volumes/manifest.hpp"
#include "volumes/part_decoder.hpp"
#include "volumes/repository.hpp"
#include "volumes/stored_bytes.hpp"

namespace volumes {

struct PartCheck {
  bool ok = false;
  std::string problem;  // what is wrong, for a person: "sha256 mismatch (stored bytes changed)"
  // False for an encrypted part checked without keys: only its size and sha256 were.
  bool contentChecked = true;
};

// `guardPaths`: also refuse a tar entry a restore could write outside its target (TarGuard).
// `keys` open an encrypted part; without them its stored bytes are checked and nothing more.
PartCheck checkPart(StoredReader& stored, const PartRecord& record, bool guardPaths = false,
                    const PartKeys* keys = nullptr);
// The same for a part of a stored backup, or a local file; a missing one is a failed check.
PartCheck checkPart(const BackupRef& backup, const PartRecord& record, bool guardPaths = false,
                    const PartKeys* keys = nullptr);
PartCheck checkPart(const std::filesystem::path& file, const PartRecord& record, bool guardPaths = false,
                    const PartKeys* keys = nullptr);

}  // namespace volumes

#pragma once
// Unpacks a config part onto this host: entries "project/<path>" under the project directory and
// "host/<absolute path>" at that path, with owners (when root), modes, symlinks and timestamps.
// Every entry passes a TarGuard first, and libarchive's secure-extraction flags refuse writing
// through a symlink already on disk.
#include <cstdint>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "base/streams.hpp"
#include "volumes/host_archive.hpp"

namespace volumes {

struct HostRestoreResult {
  std::uint64_t entries = 0;
  std::uint64_t removed = 0;         // files in replaced directories that the backup did not have
  std::vector<std::string> skipped;  // entries outside `only`, not written
};

// "project/a/b" -> projectDir/a/b, "host/etc/x" -> hostRoot/etc/x; empty for anything else.
std::filesystem::path hostPathOf(const std::string& entryName, const std::filesystem::path& projectDir,
                                 const std::filesystem::path& hostRoot = "/");

// `replace`: top-level entries (as named in the archive, e.g. "project/uploads") that are
// directories to make identical to the backup: what the backup lacks is removed after unpacking,
// except paths under `keep` (the repository). `hostRoot` other than "/" puts the host/ entries
// below it (a migration writes them for another host). With `only`, an entry is written only when
// it is one of those top-level names or below one: a config part can then put back what the stack's
// own config is, and nothing else on the host, however it was made. Throws ArchiveError or TarError.
HostRestoreResult restoreHostPaths(base::ChunkSource tar, const std::filesystem::path& projectDir,
                                   const std::vector<std::string>& replace,
                                   const std::vector<std::filesystem::path>& keep,
                                   const std::filesystem::path& hostRoot = "/",
                                   const std::set<std::string>* only = nullptr);

}  // namespace volumes

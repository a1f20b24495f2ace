#pragma once
// A tar stream of files and directories on this host (compose files, .env, bind mounts), with
// owners, modes, symlinks and timestamps, written as it is read: nothing is staged on disk.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "base/error.hpp"
#include "base/streams.hpp"
#include "volumes/stored_bytes.hpp"

namespace volumes {

class ArchiveError : public base::Error {
 public:
  using base::Error::Error;
};

struct HostEntry {
  std::filesystem::path source;  // a file or directory (directories are taken recursively)
  std::string name;              // its path inside the archive, relative (e.g. "project/mysql/init")
};

struct HostArchiveResult {
  std::uint64_t entries = 0;
  std::uint64_t bytes = 0;  // tar bytes produced
};

// Throws ArchiveError naming the path for anything unreadable. Paths under one of `excludes` are
// left out (e.g. the backup repository inside a bind-mounted project directory).
HostArchiveResult archiveHostPaths(const std::vector<HostEntry>& entries, const base::ChunkSink& tar,
                                   const std::vector<std::filesystem::path>& excludes = {});

// A tar stream of regular files whose bytes come from elsewhere, e.g. a repository's parts (0600,
// owned by us, dated now), or a file copied out of a volume that goes back with its own owner.
struct StreamEntry {
  struct Owner {
    std::uint32_t mode = 0600;
    std::uint64_t uid = 0, gid = 0;
    std::int64_t mtime = 0;
  };
  std::string name;
  std::uint64_t size = 0;  // exactly what `open` yields, else ArchiveError
  std::function<std::unique_ptr<StoredReader>()> open;
  std::optional<Owner> owner;  // none: 0600, our user, now
};
HostArchiveResult archiveStreams(const std::vector<StreamEntry>& entries, const base::ChunkSink& tar);

}  // namespace volumes

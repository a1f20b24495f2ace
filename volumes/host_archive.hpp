#pragma once
// A tar stream of files and directories on this host (compose files, .env, bind mounts), with
// owners, modes, symlinks and timestamps, written as it is read: nothing is staged on disk.
#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "dockerapi/streams.hpp"

namespace volumes {

class ArchiveError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
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
HostArchiveResult archiveHostPaths(const std::vector<HostEntry>& entries, const dockerapi::ChunkSink& tar,
                                   const std::vector<std::filesystem::path>& excludes = {});

}  // namespace volumes

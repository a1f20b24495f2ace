#pragma once
// GET /archive, checked as it passes. The engine answers 200 before it has read a single file, so a
// file that shrinks or vanishes while it is read ends the stream inside that entry (Go's tar writer
// cannot go on) and the transfer still looks complete. These calls hand on the stream unchanged and
// throw base::TarError unless it was a whole tar, ending with its end-of-archive marker. (A file that
// grows is cut at the size its header gives: a whole tar, with that file torn.)
#include <cstdint>
#include <functional>
#include <string>

#include "base/streams.hpp"
#include "base/tar_walker.hpp"
#include "dockerapi/engine.hpp"

namespace dockerapi {

struct ArchiveCounts {
  std::uint64_t kept = 0, dropped = 0;  // files and other non-directory entries
};

// The archive of `path` in `container` into `sink`, byte for byte.
ArchiveCounts getWholeArchive(Engine& engine, const std::string& container, const std::string& path,
                              const base::ChunkSink& sink);

// The same, leaving out entries `keep` refuses: kept entries pass byte for byte, and the result is
// again a whole tar.
ArchiveCounts getWholeArchive(Engine& engine, const std::string& container, const std::string& path,
                              const base::ChunkSink& sink,
                              const std::function<bool(const base::TarEntry&)>& keep);

}  // namespace dockerapi

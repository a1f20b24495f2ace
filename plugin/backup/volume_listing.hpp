#pragma once
// A volume backed up by the lister (issue #17, volumes/listing/LISTING.md): a helper container runs
// agentchat-lister over the volume, which sends every file's facts and the content of only those
// that changed since the previous backup's catalog; unchanged files reuse that backup's chunks.
#include <string>

#include "plugin/backup/backup_run.hpp"
#include "volumes/excludes.hpp"

namespace agentchat {

// Backs up `planned` (a volume) that way and returns true; false, with nothing stored and a line
// in the log saying why, where it cannot run here (no deduplicated store, an engine of another
// architecture, a network volume, a lister that failed): the caller then reads the whole archive.
bool copyVolumeByListing(PartWriter& run, const PlannedPart& planned, const std::string& helperImage,
                         const volumes::Repository& repository, const volumes::Excludes& excludes);

}  // namespace agentchat

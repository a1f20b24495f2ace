#include "volumes/backup_copy.hpp"

#include <algorithm>
#include <vector>

#include "volumes/deduplicated_part.hpp"
#include "volumes/part_reader.hpp"

namespace volumes {

CopyResult copyBackup(const Repository& from, Repository& to, const std::string& project,
                      const std::string& id) {
  Manifest manifest = from.read(project, id);
  auto existing = to.list(project);
  if (std::find(existing.begin(), existing.end(), id) != existing.end())
    throw RepositoryError("backup " + id + " of " + project + " is already in " + to.location());
  CopyResult result;
  auto staging = to.begin(project, id);
  std::vector<char> buffer(1 << 20);
  auto mismatch = [&](const PartRecord& part, const std::string& what) {
    return RepositoryError("copy of backup " + id + ": part " + part.name + " in " + from.location() +
                           " does not match its manifest (" + what + "); nothing was copied to " +
                           to.location() + " — run docker agentchat verify " + id);
  };
  for (auto& part : manifest.parts) {
    auto chunks = staging->chunks();
    if (part.chunked() && chunks) {
      // Into another deduplicated store: only the chunks it lacks are compressed and stored.
      PartReader reader(from.openPart(project, id, part), part);
      PartRecord record{part.name, part.kind, part.service, part.source, 0, 0, "", "", "", 0};
      DeduplicatedPart out(staging->addPart(part.storedName()), chunks->store, chunks->namer, record, 3);
      while (std::size_t got = reader.read(buffer.data(), buffer.size()))
        out.write(std::string_view(buffer.data(), got));
      record = out.finish();
      if (record.rawSize != part.rawSize) throw mismatch(part, "raw size differs");
      part = record;
      ++result.parts;
      result.bytes += record.newSize;
      continue;
    }
    // As stored; a chunked part as one .zst file (its blobs back to back, each checked on the way).
    auto in = from.openCompressed(project, id, part);
    auto out = staging->addPart(part.name);
    std::size_t got;
    while ((got = in->read(buffer.data(), buffer.size())) > 0) {
      if (out->size() + got > part.size) break;  // longer than the manifest says: refused below
      out->write(std::string_view(buffer.data(), got));
    }
    bool longer = got > 0;
    std::uint64_t size = out->size();
    std::string sha = longer ? std::string() : out->close();
    if (longer || size != part.size) throw mismatch(part, "size differs");
    if (part.chunked()) {
      part.storage.clear();
      part.newSize = 0;
      part.sha256 = sha;
    } else if (sha != part.sha256) {
      throw mismatch(part, "sha256 mismatch");
    }
    ++result.parts;
    result.bytes += size;
  }
  staging->commit(manifest);
  return result;
}

}  // namespace volumes

#include "volumes/backup_copy.hpp"

#include <algorithm>
#include <vector>

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
  for (const auto& part : manifest.parts) {
    auto in = from.openPart(project, id, part.name);
    auto out = staging->addPart(part.name);
    std::size_t got;
    while ((got = in->read(buffer.data(), buffer.size())) > 0) {
      if (out->size() + got > part.size) break;  // longer than the manifest says: refused below
      out->write(std::string_view(buffer.data(), got));
    }
    bool longer = got > 0;
    std::uint64_t size = out->size();
    std::string sha = longer ? std::string() : out->close();
    if (longer || size != part.size || sha != part.sha256)
      throw RepositoryError("copy of backup " + id + ": part " + part.name + " in " + from.location() +
                            " does not match its manifest (" +
                            (longer || size != part.size ? std::string("size differs") : "sha256 mismatch") +
                            "); nothing was copied to " + to.location() + " — run docker agentchat verify " +
                            id);
    ++result.parts;
    result.bytes += size;
  }
  staging->commit(manifest);
  return result;
}

}  // namespace volumes

#include "dockerapi/whole_archive.hpp"

namespace dockerapi {

namespace {

void tallyArchiveEntry(ArchiveCounts& counts, const base::TarEntry& entry, bool kept) {
  if (entry.type != '5') ++(kept ? counts.kept : counts.dropped);
}

}  // namespace

ArchiveCounts getWholeArchive(Engine& engine, const std::string& container, const std::string& path,
                              const base::ChunkSink& sink) {
  ArchiveCounts counts;
  base::TarWalker walker(
      [&](const base::TarEntry& entry) {
        tallyArchiveEntry(counts, entry, true);
        return false;
      },
      [](std::string_view) {});
  engine.getArchive(container, path, [&](std::string_view chunk) {
    walker.feed(chunk);
    sink(chunk);
  });
  walker.requireEnd();
  return counts;
}

ArchiveCounts getWholeArchive(Engine& engine, const std::string& container, const std::string& path,
                              const base::ChunkSink& sink,
                              const std::function<bool(const base::TarEntry&)>& keep) {
  ArchiveCounts counts;
  auto filter = base::TarWalker::filter(
      [&](const base::TarEntry& entry) {
        bool kept = keep(entry);
        tallyArchiveEntry(counts, entry, kept);
        return kept;
      },
      sink);
  engine.getArchive(container, path, [&](std::string_view chunk) { filter.feed(chunk); });
  filter.requireEnd();  // before finish(), which writes an end-of-archive marker of its own
  filter.finish();
  return counts;
}

}  // namespace dockerapi

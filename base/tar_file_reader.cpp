#include "base/tar_file_reader.hpp"

namespace base {

TarFileReader::TarFileReader(ChunkSink content)
    : walker_(
          [this](const TarEntry& entry) {
            if (!entry.regular()) {
              throw TarError("tar: expected a regular file, found entry type '" + std::string(1, entry.type) +
                             "' (" + entry.name + ")");
            }
            if (++files_ > 1) throw TarError("tar: expected one file, found another: " + entry.name);
            name_ = entry.name;
            size_ = entry.size;
            return true;
          },
          std::move(content)) {}

void TarFileReader::finish() {
  walker_.finish();
  if (files_ != 1) throw TarError("tar: the archive holds no regular file");
}

}  // namespace base

#pragma once
// libarchive reading a tar from a pulled stream (a part being decompressed, a pipe, a file
// descriptor), with the stream's own exception carried past libarchive's C callbacks.
#include <archive.h>

#include <exception>
#include <memory>
#include <vector>

#include "base/streams.hpp"

namespace volumes {

class ArchiveReader {
 public:
  // Opens `source` as a tar stream; throws via rethrowIfFailed() or returns false like libarchive.
  explicit ArchiveReader(base::ChunkSource source, std::size_t chunk = 256 * 1024);
  struct archive* get() const {
    return archive_.get();
  }
  bool opened() const { return opened_; }
  // If the source itself threw, that exception (the real cause) is rethrown here.
  void rethrowIfFailed() const {
    if (failure_) std::rethrow_exception(failure_);
  }

 private:
  static la_ssize_t onRead(struct archive*, void* data, const void** out);
  base::ChunkSource source_;
  std::vector<char> buffer_;
  std::exception_ptr failure_;
  std::unique_ptr<struct archive, int (*)(struct archive*)> archive_;
  bool opened_ = false;
};

}  // namespace volumes

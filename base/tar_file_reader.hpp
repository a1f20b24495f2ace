#pragma once
// Pulls the one regular file out of a tar stream (what the engine's archive GET returns for a
// file path), passing its bytes on as they arrive: nothing is buffered beyond a 512-byte block.
#include <cstdint>
#include <string>
#include <string_view>

#include "base/streams.hpp"
#include "base/tar_walker.hpp"

namespace base {

class TarFileReader {
 public:
  explicit TarFileReader(ChunkSink content);

  void feed(std::string_view chunk) { walker_.feed(chunk); }
  // Throws TarError unless exactly one regular file was read completely.
  void finish();
  const std::string& name() const { return name_; }
  std::uint64_t size() const { return size_; }

 private:
  TarWalker walker_;
  std::string name_;
  std::uint64_t size_ = 0;
  int files_ = 0;
};

}  // namespace base

#pragma once
// Pulls the one regular file out of a tar stream (what the engine's archive GET returns for a
// file path), passing its bytes on as they arrive: nothing is buffered beyond a 512-byte block.
// Understands ustar, GNU long names and pax headers; anything else is an error, not a guess.
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

#include "dockerapi/streams.hpp"

namespace volumes {

class TarError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class TarFileReader {
 public:
  explicit TarFileReader(dockerapi::ChunkSink content);

  void feed(std::string_view chunk);
  // Throws TarError unless exactly one regular file was read completely.
  void finish();
  const std::string& name() const { return name_; }
  std::uint64_t size() const { return size_; }

 private:
  void header(const char* block);

  dockerapi::ChunkSink content_;
  std::string block_;            // a partial header block
  std::uint64_t remaining_ = 0;  // payload bytes left in the current entry
  std::uint64_t padding_ = 0;    // zero bytes after the payload up to the block boundary
  bool inFile_ = false;          // the payload being read is the file's content
  std::string pendingMeta_;      // payload of a pax / GNU long-name entry
  char metaType_ = 0;
  std::string longName_;
  std::string name_;
  std::uint64_t size_ = 0;
  int files_ = 0;
  bool ended_ = false;
};

}  // namespace volumes

#pragma once
// A volume's tar stream cut with a chunk boundary before and after every file's content: a file's
// bytes are chunked on their own, so an unchanged file keeps its chunks wherever it sits in the
// stream (and under another name), and the headers between files are small chunks of their own.
// Concatenating the chunks gives the stream back byte for byte: nothing is rebuilt on restore.
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "base/tar_walker.hpp"
#include "volumes/chunks/chunked_part.hpp"

namespace volumes::chunks {

class TarChunking {
 public:
  explicit TarChunking(ChunkedPartWriter& writer);
  TarChunking(const TarChunking&) = delete;  // the walker's handlers point at this object
  TarChunking& operator=(const TarChunking&) = delete;

  void write(std::string_view bytes);
  // Sees each regular file's content as it passes: its entry and the raw offset it starts at, then
  // its bytes (a volume's catalog, volumes/listing).
  void onFile(std::function<void(const base::TarEntry&, std::uint64_t start)> starts,
              std::function<void(std::string_view)> content) {
    starts_ = std::move(starts);
    content_ = std::move(content);
  }
  // Throws base::TarError unless the stream ended whole (its end-of-archive marker seen).
  void finish();

 private:
  void block(std::string_view block);
  ChunkedPartWriter& writer_;
  base::TarWalker walker_;
  std::string partial_;  // a block not yet whole
  bool entryStarted_ = false;
  std::uint64_t payloadLeft_ = 0, payloadInBlock_ = 0;
  base::TarEntry current_;
  std::function<void(const base::TarEntry&, std::uint64_t)> starts_;
  std::function<void(std::string_view)> content_;
};

}  // namespace volumes::chunks

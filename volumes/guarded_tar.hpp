#pragma once
// A tar stream pulled through a TarGuard: every entry is checked as it passes, and a refused one
// throws TarError before its header is handed on. The restore checks each part in full before it
// starts; this second look at the bytes actually sent closes the gap between check and use.
#include <functional>
#include <string>

#include "base/streams.hpp"
#include "base/tar_walker.hpp"
#include "volumes/tar_guard.hpp"

namespace volumes {

class GuardedTarSource {
 public:
  // `within`, when set: every entry must be that top-level directory or below it ("logs", "logs/a").
  // `leaveOut`, when set: entries (checked all the same) it returns true for are not handed on.
  explicit GuardedTarSource(base::ChunkSource source, std::string within = {},
                            std::function<bool(const std::string& name)> leaveOut = {});
  GuardedTarSource(const GuardedTarSource&) = delete;
  GuardedTarSource& operator=(const GuardedTarSource&) = delete;

  std::size_t read(char* buffer, std::size_t capacity);
  base::ChunkSource source() {
    return [this](char* buffer, std::size_t capacity) { return read(buffer, capacity); };
  }

 private:
  base::ChunkSource in_;
  std::string within_;
  std::function<bool(const std::string&)> leaveOut_;
  TarGuard guard_;
  base::TarWalker walker_;
  std::string pending_;
  std::size_t offset_ = 0;
  bool finished_ = false;
};

}  // namespace volumes

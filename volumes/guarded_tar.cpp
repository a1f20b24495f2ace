#include "volumes/guarded_tar.hpp"

#include <cstring>
#include <vector>

namespace volumes {

GuardedTarSource::GuardedTarSource(base::ChunkSource source, std::string within,
                                   std::function<bool(const std::string&)> leaveOut)
    : in_(std::move(source)),
      within_(std::move(within)),
      leaveOut_(std::move(leaveOut)),
      walker_(base::TarWalker::filter(
          [this](const base::TarEntry& entry) {
            guard_.check(entry);
            auto path = containedPath(entry.name);
            if (!within_.empty() && (!path || (*path != within_ && path->rfind(within_ + "/", 0) != 0)))
              throw base::TarError("entry " + entry.name + " is outside " + within_ + "/");
            return !(leaveOut_ && leaveOut_(entry.name));
          },
          [this](std::string_view raw) { pending_.append(raw); })) {}

std::size_t GuardedTarSource::read(char* buffer, std::size_t capacity) {
  std::vector<char> chunk(64 * 1024);
  while (pending_.size() - offset_ == 0 && !finished_) {
    pending_.clear();
    offset_ = 0;
    std::size_t got = in_(chunk.data(), chunk.size());
    if (got == 0) {
      walker_.finish();
      finished_ = true;
    } else {
      walker_.feed(std::string_view(chunk.data(), got));
    }
  }
  std::size_t n = std::min(capacity, pending_.size() - offset_);
  std::memcpy(buffer, pending_.data() + offset_, n);
  offset_ += n;
  return n;
}

}  // namespace volumes

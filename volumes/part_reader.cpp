#include "volumes/part_reader.hpp"

#include <algorithm>
#include <cstring>
#include <ctime>
#include <memory>

#include "base/tar_header.hpp"
#include "volumes/host_archive.hpp"
#include "volumes/part_file.hpp"

namespace volumes {

PartReader::PartReader(std::unique_ptr<StoredReader> stored, const PartRecord& record, const PartKeys* keys)
    : stored_(std::move(stored)),
      decoder_(record, keys, [this](std::string_view raw) { pending_.append(raw); }) {}

std::size_t PartReader::read(char* buffer, std::size_t capacity) {
  char input[16 * 1024];  // small: one input chunk's output is what pending_ may hold
  while (offset_ == pending_.size() && !eof_) {
    pending_.clear();
    offset_ = 0;
    std::size_t got = stored_->read(input, sizeof input);
    if (got == 0) {
      decoder_.finish();
      eof_ = true;
    } else {
      decoder_.write(std::string_view(input, got));
    }
  }
  std::size_t n = std::min(capacity, pending_.size() - offset_);
  std::memcpy(buffer, pending_.data() + offset_, n);
  offset_ += n;
  return n;
}

base::ChunkSource singleFileTar(const std::string& name, std::uint64_t size, base::ChunkSource content,
                                std::uint32_t mode) {
  if (size > 077777777777ULL) throw ArchiveError("file too large for a ustar header: " + name);
  struct State {
    std::string head, tail;
    std::size_t headAt = 0, tailAt = 0;
    std::uint64_t left = 0;
  };
  auto state = std::make_shared<State>();
  state->head = base::ustarBlock(name, size, mode, std::time(nullptr));
  state->tail = std::string((512 - size % 512) % 512 + 1024, '\0');
  state->left = size;
  return [state, content = std::move(content), name](char* buffer, std::size_t capacity) -> std::size_t {
    auto& s = *state;
    if (s.headAt < s.head.size()) {
      std::size_t n = std::min(capacity, s.head.size() - s.headAt);
      std::memcpy(buffer, s.head.data() + s.headAt, n);
      s.headAt += n;
      return n;
    }
    if (s.left > 0) {
      std::size_t n = content(buffer, static_cast<std::size_t>(std::min<std::uint64_t>(capacity, s.left)));
      if (n == 0) throw ArchiveError(name + ": content ended " + std::to_string(s.left) + " bytes early");
      s.left -= n;
      return n;
    }
    std::size_t n = std::min(capacity, s.tail.size() - s.tailAt);
    std::memcpy(buffer, s.tail.data() + s.tailAt, n);
    s.tailAt += n;
    return n;
  };
}

}  // namespace volumes

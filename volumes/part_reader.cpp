#include "volumes/part_reader.hpp"

#include <algorithm>
#include <cstring>
#include <ctime>
#include <memory>

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

namespace {

std::string header(const std::string& name, std::uint64_t size, std::uint32_t mode) {
  std::string block(512, '\0');
  auto field = [&](std::size_t at, std::size_t width, const std::string& text) {
    std::memcpy(block.data() + at, text.data(), std::min(text.size(), width));
  };
  auto octal = [](std::uint64_t value, int digits) {
    char out[32];
    std::snprintf(out, sizeof out, "%0*llo", digits, static_cast<unsigned long long>(value));
    return std::string(out);
  };
  field(0, 100, name);
  field(100, 8, octal(mode, 7));
  field(108, 8, octal(0, 7));
  field(116, 8, octal(0, 7));
  field(124, 12, octal(size, 11));
  field(136, 12, octal(static_cast<std::uint64_t>(std::time(nullptr)), 11));
  block[156] = '0';
  field(257, 8,
        std::string("ustar\0"
                    "00",
                    8));
  std::memset(block.data() + 148, ' ', 8);
  unsigned sum = 0;
  for (unsigned char c : block) sum += c;
  field(148, 8, octal(sum, 6) + std::string(1, '\0'));
  return block;
}

}  // namespace

base::ChunkSource singleFileTar(const std::string& name, std::uint64_t size, base::ChunkSource content,
                                std::uint32_t mode) {
  if (size > 077777777777ULL) throw ArchiveError("file too large for a ustar header: " + name);
  struct State {
    std::string head, tail;
    std::size_t headAt = 0, tailAt = 0;
    std::uint64_t left = 0;
  };
  auto state = std::make_shared<State>();
  state->head = header(name, size, mode);
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

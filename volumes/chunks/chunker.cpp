#include "volumes/chunks/chunker.hpp"

#include <array>
#include <bit>
#include <stdexcept>

namespace volumes::chunks {

namespace {

// The gear table: 256 values from splitmix64 with a fixed seed, computed at compile time so that
// every build cuts the same stream at the same places.
constexpr std::array<std::uint64_t, 256> makeGear() {
  std::array<std::uint64_t, 256> gear{};
  std::uint64_t state = 0x61676e7463686174ULL;  // "agntchat"
  for (auto& g : gear) {
    state += 0x9e3779b97f4a7c15ULL;
    std::uint64_t z = state;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    g = z ^ (z >> 31);
  }
  return gear;
}
constexpr auto kGear = makeGear();

// The mask's bits are the hash's highest: with `hash << 1` each step, bit k depends on the last k+1
// bytes, so the high bits see a window of 40 and more bytes (the low bits would see a handful).
constexpr std::uint64_t highBits(int bits) {
  return bits <= 0 ? 0 : ~std::uint64_t{0} << (64 - bits);
}

}  // namespace

Chunker::Chunker(ChunkLimits limits) : limits_(limits) {
  if (!std::has_single_bit(limits_.average) || limits_.min >= limits_.average ||
      limits_.average >= limits_.max || limits_.min < 64)
    throw std::invalid_argument("chunk limits: need 64 <= min < average < max, average a power of two");
  int bits = std::countr_zero(limits_.average);
  // Normalised chunking (level 2): two bits harder before the average, two easier after it, which
  // narrows the spread of chunk sizes around the average.
  strict_ = highBits(bits + 2);
  loose_ = highBits(bits - 2);
}

void Chunker::restart() {
  hash_ = 0;
  length_ = 0;
}

std::optional<std::size_t> Chunker::cut(std::string_view bytes) {
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  std::size_t n = bytes.size(), i = 0;
  // Below the minimum no cut is looked for; the hash restarts there, so a cut depends only on the
  // bytes since the chunk's start plus min.
  if (length_ < limits_.min) {
    std::size_t skip = std::min(n, limits_.min - length_);
    i += skip;
    length_ += skip;
  }
  while (i < n) {
    hash_ = (hash_ << 1) + kGear[p[i]];
    ++i;
    ++length_;
    std::uint64_t mask = length_ < limits_.average ? strict_ : loose_;
    if ((hash_ & mask) == 0 || length_ >= limits_.max) {
      restart();
      return i;
    }
  }
  return std::nullopt;
}

std::vector<std::size_t> chunkSizes(std::string_view bytes, ChunkLimits limits) {
  Chunker chunker(limits);
  std::vector<std::size_t> sizes;
  while (auto at = chunker.cut(bytes)) {
    sizes.push_back(*at);
    bytes.remove_prefix(*at);
  }
  if (chunker.pending() > 0) sizes.push_back(chunker.pending());
  return sizes;
}

}  // namespace volumes::chunks

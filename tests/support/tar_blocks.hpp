#pragma once
// Hand-made tar entries for tests: what no well-behaved archiver writes (climbing names, links out).
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>

namespace agentchat_test {

// A block with its header checksum (re)computed.
inline std::string withChecksum(std::string block) {
  std::memset(block.data() + 148, ' ', 8);
  unsigned sum = 0;
  for (unsigned char c : block) sum += c;
  std::snprintf(block.data() + 148, 8, "%06o", sum);
  return block;
}

// A ustar header block claiming `size` payload bytes (which the caller appends, or not).
inline std::string ustarHeader(const std::string& name, char type, std::uint64_t size = 0,
                               const std::string& link = "") {
  std::string b(512, '\0');
  std::memcpy(b.data(), name.data(), std::min<std::size_t>(name.size(), 100));
  std::snprintf(b.data() + 100, 8, "%07o", 0644);
  std::snprintf(b.data() + 124, 12, "%011llo", static_cast<unsigned long long>(size));
  std::snprintf(b.data() + 136, 12, "%011o", 0);
  b[156] = type;
  std::memcpy(b.data() + 157, link.data(), std::min<std::size_t>(link.size(), 100));
  std::memcpy(b.data() + 257,
              "ustar\0"
              "00",
              8);
  return withChecksum(b);
}

// A ustar entry: its header and `size` payload bytes of 'x', padded to the block size.
inline std::string ustarBlock(const std::string& name, char type, const std::string& link = "",
                              std::size_t size = 0) {
  std::string b = ustarHeader(name, type, size, link);
  if (size > 0) b += std::string(size, 'x') + std::string((512 - size % 512) % 512, '\0');
  return b;
}

// Blocks followed by the end-of-archive marker.
inline std::string tarOf(std::initializer_list<std::string> blocks) {
  std::string tar;
  for (const auto& b : blocks) tar += b;
  return tar + std::string(1024, '\0');
}

}  // namespace agentchat_test

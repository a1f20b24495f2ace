#include "base/tar_header.hpp"

#include <algorithm>
#include <cstdio>
#include <cstring>

namespace base {

namespace {

constexpr std::size_t kBlock = 512;

std::string octal(std::uint64_t value, int digits) {
  char out[32];
  std::snprintf(out, sizeof out, "%0*llo", digits, static_cast<unsigned long long>(value));
  return out;
}

std::string block(const std::string& name, char type, std::uint64_t size, std::uint32_t mode,
                  std::int64_t mtime) {
  std::string b(kBlock, '\0');
  auto field = [&](std::size_t at, std::size_t width, const std::string& text) {
    std::memcpy(b.data() + at, text.data(), std::min(text.size(), width));
  };
  field(0, 99, name);
  field(100, 8, octal(mode, 7));
  field(108, 8, octal(0, 7));
  field(116, 8, octal(0, 7));
  field(124, 12, octal(std::min(size, kUstarMaxSize), 11));
  field(136, 12, octal(static_cast<std::uint64_t>(std::clamp<std::int64_t>(mtime, 0, 077777777777LL)), 11));
  b[156] = type;
  field(257, 8,
        std::string("ustar\0"
                    "00",
                    8));
  std::memset(b.data() + 148, ' ', 8);
  unsigned sum = 0;
  for (unsigned char c : b) sum += c;
  field(148, 8, octal(sum, 6) + std::string(1, '\0'));
  return b;
}

}  // namespace

std::string ustarBlock(const std::string& name, std::uint64_t size, std::uint32_t mode, std::int64_t mtime) {
  return block(name, '0', size, mode, mtime);
}

std::string paxHeader(const std::vector<std::pair<std::string, std::string>>& records) {
  std::string body;
  for (const auto& [key, value] : records) {
    // "LEN KEY=VALUE\n", LEN counting its own digits.
    std::size_t rest = key.size() + value.size() + 3, length = rest + 1;
    while (std::to_string(length).size() + rest != length) length = std::to_string(length).size() + rest;
    body += std::to_string(length) + " " + key + "=" + value + "\n";
  }
  std::string out = block("PaxHeader", 'x', body.size(), 0644, 0);
  out += body;
  out.append((kBlock - body.size() % kBlock) % kBlock, '\0');
  return out;
}

}  // namespace base

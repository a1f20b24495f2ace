#include "volumes/listing/lister_frames.hpp"

#include <charconv>

namespace volumes::listing {

namespace {
constexpr std::size_t kFrameLimit = 4 << 20;  // the lister's content frames are 1 MiB
}

void ListerFrames::feed(std::string_view bytes) {
  buffer_.append(bytes);
  std::size_t at = 0;
  while (buffer_.size() - at >= 5) {
    const auto* p = reinterpret_cast<const unsigned char*>(buffer_.data() + at);
    std::size_t length =
        (std::size_t{p[1]} << 24) | (std::size_t{p[2]} << 16) | (std::size_t{p[3]} << 8) | p[4];
    if (length > kFrameLimit)
      throw ListingError("the lister sent a frame of " + std::to_string(length) + " bytes");
    if (buffer_.size() - at < 5 + length) break;
    handler_(static_cast<char>(p[0]), std::string_view(buffer_).substr(at + 5, length));
    at += 5 + length;
  }
  buffer_.erase(0, at);
}

void ListerFrames::finish() const {
  if (!buffer_.empty()) throw ListingError("the lister's stream ended inside a frame");
}

std::int64_t listerHello(char tag, std::string_view payload) {
  constexpr std::string_view hello = "agentchat-lister 1 ";
  std::int64_t at = 0;
  if (tag == 'V' && payload.substr(0, hello.size()) == hello) {
    auto digits = payload.substr(hello.size());
    auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), at);
    if (error == std::errc() && end == digits.data() + digits.size() && at > 0) return at;
  }
  throw ListingError("the lister speaks another protocol: '" + std::string(payload.substr(0, 40)) + "'");
}

}  // namespace volumes::listing

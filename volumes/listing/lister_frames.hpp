#pragma once
// The lister's stdout cut into frames (a tag byte, a 4-byte big-endian length, the payload) as the
// bytes arrive, whatever their split. A frame larger than any the lister sends is refused.
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "volumes/listing/catalog.hpp"

namespace volumes::listing {

class ListerFrames {
 public:
  using Handler = std::function<void(char tag, std::string_view payload)>;
  explicit ListerFrames(Handler handler) : handler_(std::move(handler)) {}
  void feed(std::string_view bytes);
  // Throws ListingError when the stream ended inside a frame.
  void finish() const;

 private:
  Handler handler_;
  std::string buffer_;
};

// The first frame's payload, "agentchat-lister 1 <ns>": the lister's clock when it started.
std::int64_t listerHello(char tag, std::string_view payload);

}  // namespace volumes::listing

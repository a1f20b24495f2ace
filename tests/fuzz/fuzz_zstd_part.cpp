// ZstdDecompressor, as PartReader and checkPart use it on a part's stored bytes, with an output
// cap standing for the manifest's rawSize: arbitrary input either decompresses or throws
// CompressionError, and never hands on more than the cap (a decompression bomb stops there).
// Input: 2 bytes of cap (0..65535 bytes), 1 byte of input chunk size, then the compressed bytes.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "volumes/zstd_stream.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 3) return 0;
  std::uint64_t cap = static_cast<std::uint64_t>(data[0]) << 8 | data[1];
  std::size_t chunk = 1 + data[2] * 16u;
  std::string_view input(reinterpret_cast<const char*>(data) + 3, size - 3);

  std::uint64_t handedOn = 0;
  volumes::ZstdDecompressor zstd(
      [&](std::string_view out) {
        handedOn += out.size();
        if (handedOn > cap) {
          std::fprintf(stderr, "fuzz_zstd_part: %llu bytes handed on past a cap of %llu\n",
                       static_cast<unsigned long long>(handedOn), static_cast<unsigned long long>(cap));
          std::abort();
        }
      },
      cap);
  try {
    for (std::size_t at = 0; at < input.size(); at += chunk) zstd.write(input.substr(at, chunk));
    zstd.finish();
  } catch (const volumes::CompressionError&) {
    // refused: corrupt, truncated or past the cap
  }
  if (zstd.bytesOut() < handedOn) {
    std::fprintf(stderr, "fuzz_zstd_part: bytesOut() %llu is less than the %llu bytes handed on\n",
                 static_cast<unsigned long long>(zstd.bytesOut()), static_cast<unsigned long long>(handedOn));
    std::abort();
  }
  return 0;
}

#pragma once
// For the tar fuzz targets: the input with a correct checksum in every 512-byte block that is not
// all zeros, so that a mutated header is still a header and the fuzzer reaches what lies behind
// the checksum test. (In a payload block it changes 8 bytes of data, which nothing checks.)
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>

inline std::string withTarChecksums(std::string_view input) {
  std::string out(input);
  for (std::size_t at = 0; at + 512 <= out.size(); at += 512) {
    char* block = out.data() + at;
    if (std::all_of(block, block + 512, [](char c) { return c == 0; })) continue;
    std::memset(block + 148, ' ', 8);
    unsigned sum = 0;
    for (std::size_t i = 0; i < 512; ++i) sum += static_cast<unsigned char>(block[i]);
    std::snprintf(block + 148, 8, "%06o", sum);
  }
  return out;
}

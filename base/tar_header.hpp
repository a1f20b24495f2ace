#pragma once
// Tar headers we write ourselves (a single file for an archive upload, an object of a bucket):
// ustar blocks, and a pax extended header for what ustar cannot hold (long names, large sizes,
// sub-second times, metadata records).
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace base {

// One ustar header block (512 bytes) for a regular file. The name is cut to 100 bytes and the size
// to 8 GiB - 1: a pax header before it carries the whole of either.
std::string ustarBlock(const std::string& name, std::uint64_t size, std::uint32_t mode, std::int64_t mtime);

// A pax extended header ('x' block and its records, padded) for the entry that follows it.
std::string paxHeader(const std::vector<std::pair<std::string, std::string>>& records);

inline constexpr std::uint64_t kUstarMaxSize = 077777777777ULL;

}  // namespace base

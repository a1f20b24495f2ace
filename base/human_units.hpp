#pragma once
// Sizes and shares as people read them in messages and tables: "1.5 GiB", "42.0%".
#include <cstdint>
#include <string>

namespace base {

std::string humanBytes(std::uint64_t bytes);  // binary units, one decimal above bytes
std::string percent(double fraction);         // 0.5 -> "50.0%"

}  // namespace base

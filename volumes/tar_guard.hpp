#pragma once
// What a restore may unpack: a part is checked entry by entry before anything is written, and a
// single entry that could land outside the target refuses the whole part. Refused: absolute
// paths, ".." that climbs out, symlinks pointing outside (absolute, or climbing out from where
// they sit), hardlinks to paths outside, entries reached through a symlink (the classic
// "link -> /etc, then link/passwd"), device nodes and FIFOs.
#include <optional>
#include <set>
#include <string>

#include "base/tar_walker.hpp"

namespace volumes {

class TarGuard {
 public:
  // Throws TarError naming the entry and why.
  void check(const base::TarEntry& entry);

 private:
  std::set<std::string> symlinks_;  // normalised paths of symlinks seen so far
  std::set<std::string> climbed_;   // directories a symlink's target climbs back out of ("a/..")
};

// "./a/b/../c/" -> "a/c"; nullopt if it is absolute or climbs above the root.
std::optional<std::string> containedPath(const std::string& path);

}  // namespace volumes

#include "volumes/excludes.hpp"

#include <fnmatch.h>

namespace volumes {

bool Excludes::excludes(const std::string& raw) const {
  std::string path = raw.rfind("./", 0) == 0 ? raw.substr(2) : raw;
  while (!path.empty() && path.back() == '/') path.pop_back();
  if (path.empty()) return false;
  for (const auto& pattern : patterns_) {
    bool anchored = pattern.find('/') != std::string::npos;
    // Every leading part of the path, so an excluded directory takes its contents with it.
    for (std::size_t end = path.find('/');; end = path.find('/', end + 1)) {
      std::string prefix = path.substr(0, end);
      std::string subject = anchored ? prefix : prefix.substr(prefix.rfind('/') + 1);
      if (::fnmatch(pattern.c_str(), subject.c_str(), anchored ? FNM_PATHNAME : 0) == 0) return true;
      if (end == std::string::npos) break;
    }
  }
  return false;
}

}  // namespace volumes

#include "volumes/tar_guard.hpp"

#include <vector>

namespace volumes {

std::optional<std::string> containedPath(const std::string& path) {
  if (path.empty() || path[0] == '/') return std::nullopt;
  std::vector<std::string> parts;
  std::size_t at = 0;
  while (at <= path.size()) {
    std::size_t slash = path.find('/', at);
    if (slash == std::string::npos) slash = path.size();
    std::string part = path.substr(at, slash - at);
    if (part == "..") {
      if (parts.empty()) return std::nullopt;
      parts.pop_back();
    } else if (!part.empty() && part != ".") {
      parts.push_back(part);
    }
    at = slash + 1;
  }
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : "/") + p;
  return out;
}

void TarGuard::check(const TarEntry& entry) {
  auto refuse = [&](const std::string& why) {
    throw TarError("unsafe entry \"" + entry.name + "\": " + why);
  };
  auto path = containedPath(entry.name);
  if (!path) refuse("its path leaves the target directory");
  switch (entry.type) {
    case '0':
    case '\0':
    case '7':
    case '5':
    case '1':
    case '2':
      break;
    default:
      refuse(std::string("entry type '") + entry.type + "' (device, FIFO or unknown) is not restored");
  }
  // Anything below a symlink would be written wherever the symlink points.
  for (std::size_t slash = path->find('/'); slash != std::string::npos; slash = path->find('/', slash + 1)) {
    if (symlinks_.count(path->substr(0, slash)))
      refuse("it lies below the symlink " + path->substr(0, slash));
  }
  if (entry.type == '2') {
    if (entry.linkTarget.empty() || entry.linkTarget[0] == '/')
      refuse("symlink to an absolute path (" + entry.linkTarget + ")");
    auto slash = path->rfind('/');
    std::string dir = slash == std::string::npos ? "" : path->substr(0, slash + 1);
    if (!containedPath(dir + entry.linkTarget)) refuse("symlink pointing outside (" + entry.linkTarget + ")");
    symlinks_.insert(*path);
  }
  if (entry.type == '1' && !containedPath(entry.linkTarget))
    refuse("hardlink to a path outside (" + entry.linkTarget + ")");
}

}  // namespace volumes

#include "volumes/tar_guard.hpp"

#include <algorithm>
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

namespace {

// The directories a relative path climbs back out of: "a/b/../../c" -> a/b, a.
std::vector<std::string> climbedOut(const std::string& path) {
  std::vector<std::string> parts, out;
  for (std::size_t at = 0; at <= path.size();) {
    std::size_t slash = std::min(path.find('/', at), path.size());
    std::string part = path.substr(at, slash - at);
    if (part == ".." && !parts.empty()) {
      std::string dir;
      for (const auto& p : parts) dir += (dir.empty() ? "" : "/") + p;
      out.push_back(dir);
      parts.pop_back();
    } else if (!part.empty() && part != "." && part != "..") {
      parts.push_back(part);
    }
    at = slash + 1;
  }
  return out;
}

}  // namespace

void TarGuard::check(const base::TarEntry& entry) {
  auto refuse = [&](const std::string& why) {
    throw base::TarError("unsafe entry \"" + entry.name + "\": " + why);
  };
  auto path = containedPath(entry.name);
  if (!path) refuse("its path leaves the target directory");
  if (path->empty() && entry.type != '5') refuse("it would replace the target directory itself");
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
  // Links and directories carry no data: a reader that skips a size given for them anyway
  // (TarWalker does) and one that does not (Go's archive/tar, which the engine unpacks with; GNU
  // tar) would find different entries in the bytes after it. So would an old-style file "x/",
  // which such readers take for a directory.
  bool headerOnly = entry.type == '1' || entry.type == '2' || entry.type == '5' ||
                    (entry.type == '\0' && entry.name.ends_with('/'));
  if (headerOnly && entry.size != 0)
    refuse("a link or directory entry with a size (" + std::to_string(entry.size) +
           "): readers disagree on what follows");
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
    // Each ".." is taken from where the directory before it really is. Were that a symlink (by
    // now, or made by a later entry), "a/l/../../x" would lead elsewhere than it reads: out.
    std::vector<std::string> climbed = climbedOut(dir + entry.linkTarget);
    for (const auto& out : climbed) {
      if (symlinks_.count(out)) refuse("symlink climbing back out of the symlink " + out);
    }
    if (climbed_.count(*path)) refuse("an earlier symlink climbs back out of this path");
    climbed_.insert(climbed.begin(), climbed.end());
    symlinks_.insert(*path);
  }
  if (entry.type == '1' && !containedPath(entry.linkTarget))
    refuse("hardlink to a path outside (" + entry.linkTarget + ")");
}

}  // namespace volumes

#pragma once
// x-agentchat `excludes`: shell globs for files to leave out of volume and log parts. A pattern
// with a '/' matches the path inside the part ("cache/*.tmp"); one without matches any file name
// ("*.tmp"), at any depth. A directory that matches is left out with everything below it.
#include <string>
#include <vector>

namespace volumes {

class Excludes {
 public:
  explicit Excludes(std::vector<std::string> patterns) : patterns_(std::move(patterns)) {}
  bool empty() const { return patterns_.empty(); }
  // `path` as it appears in the archive ("./cache/a.tmp", "logs/x.log"; a trailing '/' for directories).
  bool excludes(const std::string& path) const;

 private:
  std::vector<std::string> patterns_;
};

}  // namespace volumes

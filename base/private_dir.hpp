#pragma once
// A directory only this user can enter (mkdtemp, 0700) under $TMPDIR, removed with everything in
// it at scope end. For the rare tool that needs a real file (SQLite opens paths, not streams).
#include <filesystem>
#include <string>

namespace base {

class PrivateDir {
 public:
  // Throws std::system_error naming `prefix` when the directory cannot be made.
  explicit PrivateDir(const std::string& prefix);
  ~PrivateDir();
  PrivateDir(const PrivateDir&) = delete;
  PrivateDir& operator=(const PrivateDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace base

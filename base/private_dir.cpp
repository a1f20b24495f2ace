#include "base/private_dir.hpp"

#include <stdlib.h>

#include <cerrno>
#include <system_error>
#include <vector>

namespace base {

namespace fs = std::filesystem;

PrivateDir::PrivateDir(const std::string& prefix) {
  std::string pattern = (fs::temp_directory_path() / (prefix + "-XXXXXX")).string();
  std::vector<char> name(pattern.begin(), pattern.end());
  name.push_back('\0');
  // mkdtemp makes it 0700: no other user reads what is put there.
  if (::mkdtemp(name.data()) == nullptr)
    throw std::system_error(errno, std::generic_category(), "cannot make a private directory " + pattern);
  path_ = name.data();
}

PrivateDir::~PrivateDir() {
  std::error_code ignored;  // a destructor does not throw; what is left sits in $TMPDIR, 0700
  fs::remove_all(path_, ignored);
}

}  // namespace base

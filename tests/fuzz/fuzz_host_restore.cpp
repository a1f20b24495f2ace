// restoreHostPaths (the config restore) on arbitrary bytes, for real, in a scratch directory:
// "project/..." entries go below <scratch>/sandbox/project, "host/..." ones below
// <scratch>/sandbox/host (standing for "/"). It must return or throw ArchiveError or TarError, and
// afterwards nothing may exist in the scratch directory outside those two, and no symlink it left
// may lead out of the sandbox. The sandbox sits a few levels deep so that a path climbing out of it
// still lands in the scratch directory, where the check sees it.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>

#include "base/tar_walker.hpp"
#include "tests/fuzz/tar_checksums.hpp"
#include "volumes/host_archive.hpp"
#include "volumes/host_restore.hpp"

namespace fs = std::filesystem;

namespace {

const fs::path& scratch() {
  static const fs::path dir = [] {
    // Under $TMPDIR: run.sh points it at a scratch directory (on tmpfs where there is one, since
    // this target is bound by file system calls) and removes that afterwards. libFuzzer ends the
    // process with _Exit, so nothing here could.
    std::string pattern = (fs::temp_directory_path() / "fuzz_host_restore.XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) std::abort();
    return fs::path(pattern);
  }();
  return dir;
}

bool under(const fs::path& path, const fs::path& dir) {
  auto rel = path.lexically_normal().lexically_relative(dir.lexically_normal());
  return !rel.empty() && *rel.begin() != "..";
}

[[noreturn]] void fail(const std::string& what) {
  std::fprintf(stderr, "fuzz_host_restore: %s\n", what.c_str());
  std::abort();
}

void check(std::string_view input) {
  const fs::path sandbox = scratch() / "a/b/c/d/sandbox";
  const fs::path project = sandbox / "project", host = sandbox / "host";
  std::error_code ec;
  fs::remove_all(scratch() / "a", ec);
  fs::create_directories(project);
  fs::create_directories(host);

  std::size_t at = 0;
  auto source = [&](char* buffer, std::size_t capacity) {
    std::size_t n = std::min(capacity, input.size() - at);
    std::memcpy(buffer, input.data() + at, n);
    at += n;
    return n;
  };
  try {
    volumes::restoreHostPaths(source, project, {"project"}, {}, host);
  } catch (const volumes::ArchiveError&) {
  } catch (const base::TarError&) {
  }

  for (auto it = fs::recursive_directory_iterator(scratch(), ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    const fs::path& path = it->path();
    bool skeleton = under(sandbox, path);  // scratch/a, ..., sandbox itself
    if (!skeleton && !under(path, project) && !under(path, host))
      fail("restoreHostPaths wrote " + path.string() + ", outside the project and host directories");
    if (it->is_symlink(ec)) {
      fs::path to = fs::weakly_canonical(path, ec);
      if (!ec && !under(to, sandbox)) fail("symlink " + path.string() + " leads to " + to.string());
      ec.clear();
    }
  }
  if (ec) fail("cannot scan " + scratch().string() + ": " + ec.message());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  check(input);
  std::string fixed = withTarChecksums(input);
  if (fixed != input) check(fixed);
  return 0;
}

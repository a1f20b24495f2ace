// parseManifest on arbitrary bytes: it returns or throws ManifestError, nothing else (no crash,
// no undefined behaviour, no leak). What it returns names only plain files inside the backup
// directory, and writing it back with toJson reads back to the same manifest.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>
#include <string_view>

#include "volumes/manifest.hpp"

namespace {

[[noreturn]] void fail(const std::string& what, std::string_view input) {
  std::fprintf(stderr, "fuzz_manifest: %s\ninput (%zu bytes): %.*s\n", what.c_str(), input.size(),
               static_cast<int>(std::min<std::size_t>(input.size(), 400)), input.data());
  std::abort();
}

// Independent of isPlainFileName: would `dir / name` stay a file directly in dir?
bool staysInDirectory(const std::string& name) {
  if (name.empty() || name == "." || name == ".." || name.front() == '.') return false;
  for (unsigned char c : name) {
    if (c == '/' || c == '\\' || c == '\0' || c < 0x20 || c == 0x7f) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  volumes::Manifest manifest;
  try {
    manifest = volumes::parseManifest(input);
  } catch (const volumes::ManifestError&) {
    return 0;  // refused, as it should be for anything malformed
  }
  std::set<std::string> names;
  for (const auto& part : manifest.parts) {
    if (!volumes::isPlainFileName(part.name) || !staysInDirectory(part.name))
      fail("accepted a part name outside the backup directory: \"" + part.name + "\"", input);
    if (!names.insert(part.name).second) fail("accepted a part name twice: " + part.name, input);
  }
  // Written back and read again, it is the same manifest (compared as written: every field).
  std::string text = volumes::toJson(manifest).dump();
  std::string again;
  try {
    again = volumes::toJson(volumes::parseManifest(text)).dump();
  } catch (const volumes::ManifestError& e) {
    fail(std::string("a manifest it accepted does not read back: ") + e.what(), input);
  }
  if (again != text)
    fail("the toJson/parseManifest round trip changed the manifest:\n" + text + "\n" + again, input);
  return 0;
}

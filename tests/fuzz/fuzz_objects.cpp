// An objects part and its catalog (issue #19) on arbitrary input: a restore reads the part's tar
// stream back into objects (key, metadata, bytes) and the next backup reads the catalog. Checked:
//  - a refusal is a TarError or an ObjectsError, nothing else;
//  - an entry accepted as an object has the one name its key gets (no two names for one key), and
//    its key is no path: the name never starts with '/', never holds a "." or ".." component;
//  - a catalog line accepted reads back the same after it is written again;
//  - any key (the input itself) gets a name that gives the key back;
//  - a URL in a row gives a key or nothing, never a crash.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "base/tar_walker.hpp"
#include "volumes/objects/object_catalog.hpp"
#include "volumes/objects/object_entry.hpp"
#include "volumes/objects/object_references.hpp"

namespace {

[[noreturn]] void fail(const std::string& what) {
  std::fprintf(stderr, "fuzz_objects: %s\n", what.c_str());
  std::abort();
}

void walkPart(std::string_view input) {
  try {
    base::TarWalker walker(
        [](const base::TarEntry& entry) {
          try {
            auto object = volumes::objects::objectOfEntry(entry);
            if (volumes::objects::entryName(object.key) != entry.name)
              fail("entry " + entry.name + " accepted under a name its key does not get");
            if (entry.name.front() == '/' || entry.name.find("../") != std::string::npos ||
                entry.name == ".." || entry.name.find("/./") != std::string::npos)
              fail("entry " + entry.name + " accepted with a name that is a path out");
          } catch (const volumes::objects::ObjectsError&) {
          }
          return true;
        },
        [](std::string_view) {});
    walker.feed(input);
    walker.finish();
  } catch (const base::TarError&) {
  }
}

void readCatalogLines(std::string_view input) {
  std::size_t start = 0;
  while (start < input.size()) {
    std::size_t end = input.find('\n', start);
    if (end == std::string_view::npos) end = input.size();
    std::string_view line = input.substr(start, end - start);
    start = end + 1;
    try {
      auto object = volumes::objects::parseCatalogObjectLine(line);
      auto again = volumes::objects::parseCatalogObjectLine(volumes::objects::catalogObjectLine(object));
      if (again.key != object.key || again.size != object.size || again.etag != object.etag ||
          again.md5 != object.md5 || !(again.metadata == object.metadata) || again.chunks != object.chunks)
        fail("a catalog line does not read back the same once written again");
    } catch (const volumes::objects::ObjectsError&) {
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  std::string_view input(reinterpret_cast<const char*>(data + 1), size - 1);
  switch (data[0] % 4) {
    case 0:
      walkPart(input);
      break;
    case 1:
      readCatalogLines(input);
      break;
    case 2: {
      auto key = volumes::objects::keyOfEntryName(volumes::objects::entryName(input));
      if (!key || *key != input) fail("a key does not come back from its entry name");
      break;
    }
    default:
      (void)volumes::objects::keyOfUrl(input, {"agentchat-kb", "files.example.com"});
  }
  return 0;
}

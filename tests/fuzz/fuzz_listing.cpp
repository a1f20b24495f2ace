// ListedVolume on arbitrary lister output (issue #17): it accepts the frames or throws ListingError,
// nothing else (no crash, no undefined behaviour, no leak). What it accepts is a whole tar stream
// (the part's chunks, concatenated, walk to an end-of-archive marker) with a catalog that reads back.
#include <zstd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>

#include "base/tar_walker.hpp"
#include "tests/support/memory_stored.hpp"
#include "volumes/listing/listed_volume.hpp"

using namespace volumes;
using agentchat_test::MemoryReader;
using agentchat_test::MemoryWriter;

namespace {

[[noreturn]] void fail(const std::string& what) {
  std::fprintf(stderr, "fuzz_listing: %s\n", what.c_str());
  std::abort();
}

struct Store : chunks::BlobStore {
  std::map<std::string, std::string> raw;
  std::map<std::string, std::uint64_t> lengths;
  std::optional<std::uint64_t> find(const std::string& name) override {
    auto at = lengths.find(name);
    return at == lengths.end() ? std::nullopt : std::optional<std::uint64_t>(at->second);
  }
  void put(const std::string& name, std::string blob, std::uint64_t size) override {
    std::string bytes(size, '\0');
    if (ZSTD_decompress(bytes.data(), size, blob.data(), blob.size()) != size)
      fail("a blob does not decompress");
    raw[name] = std::move(bytes);
    lengths[name] = blob.size();
  }
};

// A store holding the chunk "hello\n", and a previous catalog whose files "a" and "b/c" are it.
void seed(Store& store, std::string& catalog) {
  auto keys = chunks::ChunkKeys::plain();
  std::string hello = "hello\n";
  std::string name = keys.name(hello);
  store.raw[name] = hello;
  store.lengths[name] = 15;
  listing::CatalogWriter writer(std::make_unique<MemoryWriter>(&catalog), 5000000000);
  for (const char* path : {"a", "b/c"}) {
    listing::CatalogEntry e;
    e.path = path;
    e.size = hello.size();
    e.mode = 0100644;
    e.chunks = {{name, hello.size()}};
    writer.add(e);
  }
  writer.close();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  Store store;
  std::string previousCatalog, list, catalog;
  seed(store, previousCatalog);
  auto keys = chunks::ChunkKeys::plain();
  PartRecord record{"volume-x.tar.zst", "volume", "", "x", 0, 0, "", "", "chunks", 0};
  try {
    DeduplicatedPart part(std::make_unique<MemoryWriter>(&list), store, keys, record, 1);
    listing::CatalogReader previous(std::make_unique<MemoryReader>(previousCatalog));
    listing::ListingHooks hooks;
    hooks.keep = [](const base::TarEntry& e) { return e.name.find("skip") == std::string::npos; };
    hooks.marker = "SQLite format 3";
    hooks.marked = [](const base::TarEntry&) {};
    listing::ListedVolume listed(part, &previous, std::make_unique<MemoryWriter>(&catalog), hooks);
    // Fed in pieces whose sizes the input's first byte sets.
    std::size_t piece = input.empty() ? 1 : 1 + static_cast<unsigned char>(input[0]) % 64;
    for (std::size_t at = 1; at < input.size(); at += piece) listed.feed(input.substr(at, piece));
    listed.finish();
    part.finish();
    listed.close();
  } catch (const listing::ListingError&) {
    return 0;
  }
  std::istringstream lines(list);
  std::string tar, name;
  std::uint64_t length;
  while (lines >> name >> length) {
    auto at = store.raw.find(name);
    if (at == store.raw.end() || at->second.size() != length) fail("the list names a chunk the store lacks");
    tar += at->second;
  }
  try {
    base::TarWalker walker([](const base::TarEntry&) { return true; }, [](std::string_view) {});
    walker.feed(tar);
    walker.finish();
    walker.requireEnd();
    listing::CatalogReader back(std::make_unique<MemoryReader>(catalog));
    while (back.next()) {
    }
  } catch (const std::exception& e) {
    fail(std::string("an accepted listing gave a bad tar stream or catalog: ") + e.what());
  }
  return 0;
}

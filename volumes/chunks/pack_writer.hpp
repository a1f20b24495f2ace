#pragma once
// Blobs written back to back into packs of about 16 MiB (few objects: a 1 GiB volume is some 64
// packs, not a thousand chunk files or requests). A pack is named by the sha256 of its bytes once
// it is full and durable; only then are its blobs indexed, so an index line never names a pack
// that is not whole.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "volumes/chunks/chunk_index.hpp"
#include "volumes/part_file.hpp"

namespace volumes::chunks {

class PackWriter {
 public:
  using Sealed = std::function<void(const std::vector<IndexEntry>&)>;
  // Packs go to `packsDir`/XX/NAME; `sealed` gets each pack's entries once it is there.
  PackWriter(std::filesystem::path packsDir, Sealed sealed, std::uint64_t target = 16 * 1024 * 1024);
  ~PackWriter();  // an unsealed pack's file is removed: nothing indexes it
  PackWriter(const PackWriter&) = delete;
  PackWriter& operator=(const PackWriter&) = delete;

  void add(const std::string& name, std::string_view blob, std::uint64_t size);
  // True for a blob of the pack still being written (not indexed yet).
  bool holds(const std::string& name) const { return names_.count(name) > 0; }
  void finish();  // seals the last pack

 private:
  void seal();
  std::filesystem::path dir_;
  Sealed sealed_;
  std::uint64_t target_;
  std::unique_ptr<PartFile> pack_;
  std::vector<IndexEntry> entries_;
  std::set<std::string> names_;
};

}  // namespace volumes::chunks

#pragma once
// Blobs written back to back into packs of about 16 MiB (few objects: a 1 GiB volume is some 64
// packs, not a thousand chunk files or requests). A pack is named by the sha256 of its bytes once
// it is full and durable; only then are its blobs indexed, so an index line never names a pack
// that is not whole.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "volumes/chunks/chunk_index.hpp"
#include "volumes/chunks/chunk_space.hpp"

namespace volumes::chunks {

class PackWriter {
 public:
  // A pack is sealed at `target` bytes or at this many blobs, whichever comes first: its entries
  // wait in memory until then.
  static constexpr std::size_t kMaxBlobsPerPack = 16384;
  using Sealed = std::function<void(const std::vector<IndexEntry>&)>;
  // Packs go to `space`'s packs/XX/NAME; `sealed` gets each pack's entries once it is there.
  PackWriter(ChunkSpace& space, Sealed sealed, std::uint64_t target = 16 * 1024 * 1024);
  ~PackWriter();  // an unsealed pack is dropped: nothing indexes it
  PackWriter(const PackWriter&) = delete;
  PackWriter& operator=(const PackWriter&) = delete;

  void add(const std::string& name, std::string_view blob, std::uint64_t size);
  // A blob's length while its pack is still being written (not indexed yet).
  std::optional<std::uint64_t> pending(const std::string& name) const {
    auto at = names_.find(name);
    return at == names_.end() ? std::nullopt : std::optional<std::uint64_t>(at->second);
  }
  void finish();  // seals the last pack

 private:
  void seal();
  ChunkSpace& space_;
  Sealed sealed_;
  std::uint64_t target_;
  std::unique_ptr<PackFile> pack_;
  std::vector<IndexEntry> entries_;
  std::map<std::string, std::uint64_t> names_;
};

}  // namespace volumes::chunks

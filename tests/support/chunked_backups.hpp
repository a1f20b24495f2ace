#pragma once
// Backups of a dump and a volume into a local repository's deduplicated store, and the checks that
// they come back whole: what the dedup repository tests (issue #17) share.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <tuple>
#include <vector>

#include "tests/support/chunk_testing.hpp"
#include "volumes/deduplicated_part.hpp"
#include "volumes/local_repository.hpp"
#include "volumes/part_check.hpp"
#include "volumes/part_reader.hpp"

namespace agentchat_test {

// A tar stream of one file holding `content` (what a volume part looks like).
inline std::string tarOf(const std::string& content) {
  auto source = volumes::singleFileTar("data.bin", content.size(), base::bytesSource(content));
  std::string out;
  char buffer[65536];
  while (std::size_t got = source(buffer, sizeof buffer)) out.append(buffer, got);
  return out;
}

struct Parts {
  std::string dump, volume;
};

// About two chunks of the default limits each (the store's; 1 MiB on average, 256 KiB at least):
// a dump and a volume of several chunks, well inside one 16 MiB pack.
inline Parts someParts(unsigned seed) {
  return {"-- dump\n" + randomBytes(2 << 20, seed) + "\n-- Dump completed\n",
          tarOf(randomBytes(2 << 20, seed + 1))};
}

// One backup of `parts` into `repository`: the dump and the volume as chunked parts.
inline volumes::Manifest backUp(volumes::Repository& repository, const std::string& id, const Parts& parts,
                                bool commit = true, const volumes::Encryption& encryption = {}) {
  auto staging = repository.begin("chat", id);
  auto chunks = staging->chunks(encryption);
  if (!chunks) {
    ADD_FAILURE() << "the store does not take backup " << id;
    return {};
  }
  volumes::Manifest manifest;
  manifest.id = id;
  manifest.project = "chat";
  manifest.createdAt = "2026-12-03T00:00:00Z";
  manifest.consistency = "online";
  manifest.encryption = encryption;
  for (auto [name, kind, bytes] : {std::tuple{"mysql.sql.zst", "mysql-dump", &parts.dump},
                                   std::tuple{"volume-data.tar.zst", "volume", &parts.volume}}) {
    volumes::PartRecord record{name, kind, "svc", "", 0, 0, "", "", "chunks", 0};
    volumes::DeduplicatedPart part(staging->addPart(record.storedName()), chunks->store, chunks->keys, record,
                                   3, 2);
    part.write(*bytes);
    manifest.parts.push_back(part.finish());
  }
  if (commit) staging->commit(manifest);
  return manifest;
}

inline std::string readPart(const volumes::Repository& repository, const std::string& id,
                            const volumes::PartRecord& record) {
  volumes::PartReader reader(repository.openPart("chat", id, record), record);
  std::string out;
  char buffer[65536];
  while (std::size_t got = reader.read(buffer, sizeof buffer)) out.append(buffer, got);
  return out;
}

inline void expectWhole(const volumes::Repository& repository, const std::string& id, const Parts& parts) {
  auto manifest = repository.read("chat", id);
  ASSERT_EQ(manifest.parts.size(), 2u);
  for (const auto& part : manifest.parts) {
    auto check = volumes::checkPart({&repository, "chat", id}, part);
    EXPECT_TRUE(check.ok) << part.name << ": " << check.problem;
  }
  EXPECT_EQ(readPart(repository, id, manifest.parts[0]), parts.dump);
  EXPECT_EQ(readPart(repository, id, manifest.parts[1]), parts.volume);
}

inline std::vector<std::filesystem::path> packsOf(const std::filesystem::path& root) {
  std::vector<std::filesystem::path> out;
  for (const auto& e : std::filesystem::recursive_directory_iterator(root / ".chunks" / "packs"))
    if (e.is_regular_file()) out.push_back(e.path());
  return out;
}

}  // namespace agentchat_test

#pragma once
// manifest.json: what a backup holds. It is written last, so a backup directory without one was
// never completed; and it is read defensively, since a restore trusts nothing it has not checked.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.hpp"
#include "volumes/part_kind.hpp"

namespace volumes {

// A manifest larger than this is refused unread: it would only be a hostile one.
inline constexpr std::size_t kManifestSizeLimit = 64 << 20;

class ManifestError : public base::Error {
 public:
  using base::Error::Error;
};

struct PartRecord {
  std::string name;           // file name in the backup directory, e.g. "mysql.sql.zst"
  std::string kind;           // as stored: partKindName() of a known kind, or a newer version's
  std::string service;        // compose service, if any
  std::string source;         // volume name or path it came from
  std::uint64_t size = 0;     // stored bytes
  std::uint64_t rawSize = 0;  // bytes before compression (caps decompression on restore)
  std::string sha256;         // of the stored bytes
  // Encrypted parts (name ends in .age): sha256 of the plaintext, the zstd stream `age -d` gives
  // back, so a deep verify proves the content and not only the stored bytes. Empty otherwise.
  std::string plainSha256;
  // How the part is kept: "" a file of its own (`name`); "chunks" (issue #17) deduplicated chunks of
  // the repository, listed in order in `name`.chunks — then `size` counts the blobs the part uses,
  // `newSize` those it added, and `sha256` is the chunk list's (each chunk is named by its bytes).
  std::string storage;
  std::uint64_t newSize = 0;

  bool encrypted() const { return !plainSha256.empty(); }
  bool chunked() const { return storage == "chunks"; }
  // The file of the backup directory that holds it.
  std::string storedName() const { return chunked() ? name + ".chunks" : name; }
  // None for a kind this version does not know.
  std::optional<PartKind> knownKind() const { return parsePartKind(kind); }
  // The name of the content inside: "mysql.sql.zst" for "mysql.sql.zst.age".
  std::string contentName() const { return encrypted() ? name.substr(0, name.size() - 4) : name; }
};

// To whom a backup's parts are encrypted (age v1): public keys only, never a secret.
struct Encryption {
  std::vector<std::string> recipients;  // age1…
  bool passphrase = false;              // an scrypt (passphrase) recipient
  bool on() const { return passphrase || !recipients.empty(); }
};

struct Manifest {
  static constexpr int kFormatVersion = 1;
  std::string id;  // 20261124T020000Z
  std::string project;
  std::string createdAt;    // RFC 3339 UTC
  std::string label;        // e.g. "pre-restore"; empty for ordinary backups
  std::string consistency;  // online | stop
  std::vector<PartRecord> parts;
  Encryption encryption;
  nlohmann::json details = nlohmann::json::object();  // stack, engine, databases, timings

  const PartRecord* part(const std::string& name) const;
};

nlohmann::json toJson(const Manifest& manifest);
// Throws ManifestError naming the field for anything malformed: unknown format version, a part
// name that is not a plain file name (no '/', '..', leading '.'), a duplicate, a bad sha256.
Manifest parseManifest(std::string_view text);

// True for names a part may have: plain, printable, no path separators.
bool isPlainFileName(const std::string& name);

}  // namespace volumes

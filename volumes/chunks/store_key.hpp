#pragma once
// An encrypted store's repository key, .chunks/key.age: the store's own age identity (every blob
// and catalog is sealed to it) and its chunk naming key, age-encrypted to the recipients or the
// passphrase of the backups that made the store. Opening it costs one X25519, or one scrypt for a
// passphrase, per command — never one per chunk. Decrypted with stock `age`, it is an identity file
// (`age -d -i repo.key` opens any blob); the naming key rides in a comment line, which age skips.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "volumes/age_keys.hpp"

namespace volumes::chunks {

struct StoreKey {
  AgeIdentity identity;
  AgeSecret namingKey;  // 32 random bytes
};

StoreKey generateStoreKey();
// The key's text holds its secrets: a wiped buffer.
AgeSecret formatStoreKey(const StoreKey& key);
// Throws RepositoryError (never quoting the text) when it is not what formatStoreKey writes.
StoreKey parseStoreKey(std::string_view text);

// The key's text age-encrypted to `recipients`: what key.age holds.
std::string sealStoreKey(const StoreKey& key, const std::vector<AgeRecipient>& recipients);
// Nullopt when none of `identities` opens `sealed` (key.age's bytes, read from `where`);
// RepositoryError when it is missing or damaged.
std::optional<StoreKey> readStoreKey(const std::optional<std::string>& sealed, const std::string& where,
                                     const std::vector<AgeIdentity>& identities);

}  // namespace volumes::chunks

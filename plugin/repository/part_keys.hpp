#pragma once
// Encryption on the command line. A backup is encrypted to `--encrypt-to age1…` public keys or with
// `--passphrase-file F` (else x-agentchat encrypt_to / passphrase_file); restore, verify, compat and
// export open it with `--identity F` / `--passphrase-file F`. Secrets come from files only, never
// from argv, and are never printed.
#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "compose/stack.hpp"
#include "volumes/age_keys.hpp"
#include "volumes/manifest.hpp"
#include "volumes/part_decoder.hpp"
#include "volumes/repository.hpp"

namespace agentchat {

struct KeyOptions {
  std::vector<std::string> identityFiles;
  std::string passphraseFile;
};
void addKeyOptions(CLI::App* cli, KeyOptions& options);
// Throws std::invalid_argument (exit 2) for a file that is missing or holds no usable key.
volumes::PartKeys loadPartKeys(const KeyOptions& options);

// Refuses, before anything is read or changed, a backup that is encrypted when no key was given
// (std::invalid_argument) or whose recipients none of the given public-key identities is
// (std::runtime_error); both name the backup's recipients.
void requireKeysFor(const volumes::Manifest& manifest, const volumes::PartKeys& keys);
// The same, and for a backup whose parts are chunks of an encrypted store: opens the store's
// repository key with `keys` (std::runtime_error when none of them does).
void requireKeysFor(const volumes::Repository& repository, const volumes::Manifest& manifest,
                    const volumes::PartKeys& keys);
// True for an encrypted backup whose parts are (some of them) chunks: they are read with its key only.
bool sealedChunks(const volumes::Manifest& manifest);

struct EncryptionChoice {
  std::vector<volumes::AgeRecipient> recipients;  // empty: not encrypted
  volumes::Encryption manifest;                   // what the manifest records (public parts only)
};
// The options win over x-agentchat; the passphrase file there is relative to the project directory.
// age allows a passphrase only as the sole recipient, so both kinds at once are refused.
EncryptionChoice chooseEncryption(const std::vector<std::string>& encryptTo,
                                  const std::string& passphraseFile, const compose::Stack& stack);

// A backup's way into the repository's deduplicated store: an encrypted store is opened with the
// backup's keys (backupKeys); when the store does not take the
// backup (encrypted otherwise, or its key not opened), a warning says why its parts stay whole.
void openChunksForBackup(volumes::Repository& repository, const EncryptionChoice& encryption,
                         const volumes::PartKeys& keys);
// The keys a backup holds: `identities` (backup --identity) and its own passphrase, if it has one.
volumes::PartKeys backupKeys(const EncryptionChoice& encryption, volumes::PartKeys identities);

// Encrypted as `manifest` is: to its public keys, or with the passphrase among `keys` that opened it.
// A restore's safety snapshot of an encrypted backup's data is kept no less protected.
EncryptionChoice sameEncryptionAs(const volumes::Manifest& manifest, const volumes::PartKeys& keys);

// A restore's safety snapshot is encrypted like the project's backups; a rollback must open it. A
// passphrase from x-agentchat is added to `keys`; public keys must be among the given identities,
// else std::invalid_argument (before anything changes).
void keysForSafetySnapshot(const EncryptionChoice& safety, volumes::PartKeys& keys);

}  // namespace agentchat

#include "plugin/repository/part_keys.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <stdexcept>

#include <spdlog/spdlog.h>

namespace agentchat {

namespace fs = std::filesystem;

namespace {

std::string describe(const volumes::Encryption& e) {
  std::string to;
  for (const auto& r : e.recipients) to += (to.empty() ? "" : ", ") + r;
  if (e.passphrase) to += (to.empty() ? "" : ", ") + std::string("a passphrase");
  return to;
}

}  // namespace

void addKeyOptions(CLI::App* cli, KeyOptions& options) {
  cli->add_option("--identity", options.identityFiles,
                  "age identity file (AGE-SECRET-KEY-1…, as age-keygen writes it) for an encrypted backup; "
                  "repeatable");
  cli->add_option("--passphrase-file", options.passphraseFile,
                  "File whose first line is the passphrase of an encrypted backup");
}

volumes::PartKeys loadPartKeys(const KeyOptions& options) {
  volumes::PartKeys keys;
  try {
    for (const auto& file : options.identityFiles) {
      auto read = volumes::readIdentityFile(file);
      if (read.empty())
        throw std::invalid_argument("--identity " + file + ": no AGE-SECRET-KEY-1… line in it");
      for (auto& k : read) keys.push_back(std::move(k));
    }
    if (!options.passphraseFile.empty())
      keys.push_back(volumes::passphraseIdentity(volumes::readPassphraseFile(options.passphraseFile)));
  } catch (const volumes::AgeError& e) {
    throw std::invalid_argument(e.what());
  }
  return keys;
}

void requireKeysFor(const volumes::Manifest& manifest, const volumes::PartKeys& keys) {
  if (!manifest.encryption.on()) return;
  if (keys.empty()) {
    throw std::invalid_argument("backup " + manifest.id + " is encrypted (age, to " +
                                describe(manifest.encryption) +
                                "): give its key with --identity FILE or --passphrase-file FILE");
  }
  // A passphrase can only be tried; a public-key identity can be matched against the recipients.
  if (manifest.encryption.passphrase) return;
  bool match = std::any_of(keys.begin(), keys.end(), [&](const volumes::AgeIdentity& k) {
    if (k.type != volumes::AgeIdentity::Type::X25519) return false;
    const auto& to = manifest.encryption.recipients;
    return std::find(to.begin(), to.end(), volumes::publicKeyOf(k)) != to.end();
  });
  if (!match) {
    throw std::runtime_error("none of the given identities opens backup " + manifest.id +
                             ": it is encrypted to " + describe(manifest.encryption) +
                             "; nothing was read or changed");
  }
}

bool sealedChunks(const volumes::Manifest& manifest) {
  return manifest.encryption.on() && std::any_of(manifest.parts.begin(), manifest.parts.end(),
                                                 [](const volumes::PartRecord& p) { return p.chunked(); });
}

void requireKeysFor(const volumes::Repository& repository, const volumes::Manifest& manifest,
                    const volumes::PartKeys& keys) {
  requireKeysFor(manifest, keys);
  if (sealedChunks(manifest) && !repository.unlockChunks(keys)) {
    throw std::runtime_error("none of the given keys opens the repository key " + repository.location() +
                             "/.chunks/key.age that backup " + manifest.id +
                             "'s chunks are sealed to (give a key the store is encrypted to); nothing was "
                             "read or changed");
  }
}

EncryptionChoice sameEncryptionAs(const volumes::Manifest& manifest, const volumes::PartKeys& keys) {
  EncryptionChoice choice;
  choice.manifest = manifest.encryption;
  for (const auto& r : manifest.encryption.recipients)
    choice.recipients.push_back(volumes::parseRecipient(r));
  if (manifest.encryption.passphrase) {
    for (const auto& k : keys) {
      if (k.type != volumes::AgeIdentity::Type::Scrypt) continue;
      volumes::AgeRecipient passphrase;
      passphrase.type = volumes::AgeRecipient::Type::Scrypt;
      passphrase.passphrase = k.secret;
      choice.recipients.push_back(std::move(passphrase));
      break;
    }
  }
  return choice;
}

void keysForSafetySnapshot(const EncryptionChoice& safety, volumes::PartKeys& keys) {
  if (safety.recipients.empty()) return;
  if (safety.manifest.passphrase) {
    volumes::AgeIdentity passphrase;
    passphrase.type = volumes::AgeIdentity::Type::Scrypt;
    passphrase.secret = safety.recipients.front().passphrase;
    keys.push_back(std::move(passphrase));
    return;
  }
  volumes::Manifest snapshot;
  snapshot.id = "(the safety snapshot)";
  snapshot.encryption = safety.manifest;
  try {
    requireKeysFor(snapshot, keys);
  } catch (const std::exception&) {
    throw std::invalid_argument(
        "the safety snapshot will be encrypted to " + describe(safety.manifest) +
        " (x-agentchat encrypt_to), and none of the given --identity keys opens it, so a rollback could "
        "not read it: add that identity with --identity, or restore with --no-safety-snapshot");
  }
}

EncryptionChoice chooseEncryption(const std::vector<std::string>& encryptTo,
                                  const std::string& passphraseFile, const compose::Stack& stack) {
  std::vector<std::string> to = encryptTo;
  std::string passphrase = passphraseFile;
  if (to.empty() && passphrase.empty()) {
    to = stack.settings.encryptTo;
    if (stack.settings.passphraseFile) {
      fs::path file = *stack.settings.passphraseFile;
      passphrase = (file.is_absolute() ? file : fs::path(stack.workingDir) / file).string();
    }
  }
  if (!to.empty() && !passphrase.empty()) {
    throw std::invalid_argument(
        "encrypt to public keys or with a passphrase, not both: the age format allows a passphrase only as "
        "a file's sole recipient (use public keys for more than one reader)");
  }
  EncryptionChoice choice;
  try {
    for (const auto& key : to) {
      choice.recipients.push_back(volumes::parseRecipient(key));
      std::string canonical = key;  // Bech32 is case-insensitive; age writes it lower case
      std::transform(canonical.begin(), canonical.end(), canonical.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      choice.manifest.recipients.push_back(canonical);
    }
    if (!passphrase.empty()) {
      choice.recipients.push_back(volumes::passphraseRecipient(volumes::readPassphraseFile(passphrase)));
      choice.manifest.passphrase = true;
    }
  } catch (const volumes::AgeError& e) {
    throw std::invalid_argument(e.what());
  }
  return choice;
}

volumes::PartKeys backupKeys(const EncryptionChoice& encryption, volumes::PartKeys identities) {
  for (const auto& r : encryption.recipients) {
    if (r.type != volumes::AgeRecipient::Type::Scrypt) continue;
    volumes::AgeIdentity passphrase;
    passphrase.type = volumes::AgeIdentity::Type::Scrypt;
    passphrase.secret = r.passphrase;
    identities.push_back(std::move(passphrase));
  }
  return identities;
}

void openChunksForBackup(volumes::Repository& repository, const EncryptionChoice& encryption,
                         const volumes::PartKeys& keys) {
  // A key file that cannot be used only costs this backup its deduplication, never the backup.
  try {
    if (encryption.manifest.on()) repository.unlockChunks(keys);
  } catch (const volumes::RepositoryError& e) {
    spdlog::warn("{}", e.what());
  }
  std::string refusal = repository.chunksRefusal(encryption.manifest);
  if (!refusal.empty()) spdlog::warn("not deduplicated: {}", refusal);
}

}  // namespace agentchat

#include "volumes/chunks/store_key.hpp"

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <cstring>
#include <fstream>
#include <initializer_list>
#include <iterator>

#include "base/sha256.hpp"
#include "volumes/age_stream.hpp"
#include "volumes/part_file.hpp"
#include "volumes/repository.hpp"

namespace volumes::chunks {

namespace fs = std::filesystem;

namespace {
constexpr std::string_view kNamingPrefix = "# naming-key: ";

AgeSecret hexDecode(std::string_view hex) {
  auto digit = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  if (hex.size() % 2 != 0) return {};
  AgeSecret bytes(hex.size() / 2);
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    int high = digit(hex[i]), low = digit(hex[i + 1]);
    if (high < 0 || low < 0) return {};
    bytes.data()[i / 2] = static_cast<std::uint8_t>(high * 16 + low);
  }
  return bytes;
}

// Lowercase hex of a secret, into a wiped buffer.
AgeSecret hexOf(const AgeSecret& secret) {
  static constexpr char kDigits[] = "0123456789abcdef";
  AgeSecret hex(secret.size() * 2);
  for (std::size_t i = 0; i < secret.size(); ++i) {
    hex.data()[2 * i] = static_cast<std::uint8_t>(kDigits[secret.data()[i] >> 4]);
    hex.data()[2 * i + 1] = static_cast<std::uint8_t>(kDigits[secret.data()[i] & 15]);
  }
  return hex;
}

AgeSecret concat(std::initializer_list<std::string_view> pieces) {
  std::size_t size = 0;
  for (auto p : pieces) size += p.size();
  AgeSecret out(size);
  std::size_t at = 0;
  for (auto p : pieces) {
    std::memcpy(out.data() + at, p.data(), p.size());
    at += p.size();
  }
  return out;
}
}  // namespace

StoreKey generateStoreKey() {
  StoreKey key{generateIdentity(), AgeSecret(32)};
  if (RAND_priv_bytes(key.namingKey.data(), 32) != 1)
    throw RepositoryError("cannot draw random bytes for the repository key (OpenSSL RAND_priv_bytes)");
  return key;
}

AgeSecret formatStoreKey(const StoreKey& key) {
  AgeSecret identity(formatIdentity(key.identity));
  return concat(
      {"# docker-agentchat repository key: the deduplicated store's identity and chunk naming key\n",
       kNamingPrefix, hexOf(key.namingKey).view(), "\n", identity.view(), "\n"});
}

StoreKey parseStoreKey(std::string_view text) {
  std::optional<AgeIdentity> identity;
  AgeSecret naming;
  while (!text.empty()) {
    auto end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    if (line.rfind(kNamingPrefix, 0) == 0) {
      naming = hexDecode(line.substr(kNamingPrefix.size()));
    } else if (line.rfind("AGE-SECRET-KEY-1", 0) == 0) {
      try {
        identity = parseIdentity(line);
      } catch (const AgeError&) {
        identity.reset();
      }
    }
  }
  if (!identity || naming.size() != 32)
    throw RepositoryError(
        "the repository key (.chunks/key.age) opened, but it is not a docker-agentchat key");
  return StoreKey{std::move(*identity), std::move(naming)};
}

std::string sealStoreKey(const StoreKey& key, const std::vector<AgeRecipient>& recipients) {
  std::string sealed;
  AgeEncryptor age([&](std::string_view bytes) { sealed.append(bytes); }, recipients);
  age.write(formatStoreKey(key).view());
  age.finish();
  return sealed;
}

std::optional<StoreKey> readStoreKey(const std::optional<std::string>& sealed, const std::string& where,
                                     const std::vector<AgeIdentity>& identities) {
  if (!sealed || sealed->empty())
    throw RepositoryError("cannot read the repository key " + where +
                          ": without it no encrypted deduplicated backup can be read; restore it from a copy "
                          "of the repository");
  std::string text;
  text.reserve(4096);  // no reallocation leaves a copy of the key behind
  try {
    AgeDecryptor age([&](std::string_view plain) { text.append(plain); }, identities, /*maxScryptLogN=*/20);
    age.write(*sealed);
    age.finish();
  } catch (const AgeError& e) {
    if (e.kind() == AgeError::Kind::NoIdentityMatched) return std::nullopt;
    throw RepositoryError("the repository key " + where + " is damaged (" + e.what() +
                          "): restore it from a copy of the repository");
  }
  struct Wipe {
    std::string& text;
    ~Wipe() { OPENSSL_cleanse(text.data(), text.size()); }
  } wipe{text};
  return parseStoreKey(text);
}

}  // namespace volumes::chunks

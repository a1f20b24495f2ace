#pragma once
// age v1 keys (https://age-encryption.org/v1): X25519 recipients and identities in their Bech32
// text forms, scrypt passphrases, and how each wraps or unwraps a file key into a header stanza.
// The file format itself (header, MAC, STREAM payload) lives in age_stream.hpp.
#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.hpp"

namespace volumes {

class AgeError : public base::Error {
 public:
  enum class Kind {
    NoIdentityMatched,  // wrong key or passphrase
    BadHeader,          // malformed header (not an age file, or damaged before the MAC)
    Corrupt,            // header MAC or a payload chunk failed to authenticate
    Truncated,          // the input ended early
    Unsupported,        // another age version, or a work factor above the limit
    BadKey,             // a recipient, identity or passphrase that cannot be used
  };
  AgeError(Kind kind, const std::string& what) : base::Error(what), kind_(kind) {}
  Kind kind() const { return kind_; }

 private:
  Kind kind_;
};

// Bytes that are wiped (OPENSSL_cleanse) when released; copies and moves never leave a stray copy.
class AgeSecret {
 public:
  AgeSecret() = default;
  explicit AgeSecret(std::size_t size) : bytes_(size) {}
  explicit AgeSecret(std::string_view bytes) : bytes_(bytes.begin(), bytes.end()) {}
  AgeSecret(const AgeSecret& other) = default;
  AgeSecret(AgeSecret&& other) noexcept = default;
  AgeSecret& operator=(AgeSecret other) noexcept {
    bytes_.swap(other.bytes_);  // our old bytes die (wiped) with `other`
    return *this;
  }
  ~AgeSecret();

  std::uint8_t* data() { return bytes_.data(); }
  const std::uint8_t* data() const { return bytes_.data(); }
  std::size_t size() const { return bytes_.size(); }
  bool empty() const { return bytes_.empty(); }
  std::string_view view() const { return {reinterpret_cast<const char*>(bytes_.data()), bytes_.size()}; }

 private:
  std::vector<std::uint8_t> bytes_;
};

using AgeX25519Key = std::array<std::uint8_t, 32>;

// Whom a file is encrypted to: an `age1…` public key, or a passphrase (scrypt, 2^logN work).
struct AgeRecipient {
  enum class Type { X25519, Scrypt };
  Type type = Type::X25519;
  AgeX25519Key publicKey{};  // X25519
  AgeSecret passphrase;      // Scrypt
  int logN = 18;             // Scrypt
};

// What decrypts a file: an `AGE-SECRET-KEY-1…` secret key, or a passphrase.
struct AgeIdentity {
  enum class Type { X25519, Scrypt };
  Type type = Type::X25519;
  AgeSecret secret;  // the 32-byte X25519 scalar, or the passphrase
};

// Throw AgeError(BadKey) with a message that never repeats secret material.
AgeRecipient parseRecipient(std::string_view text);  // age1…
AgeRecipient passphraseRecipient(std::string passphrase, int logN = 18);
AgeIdentity parseIdentity(std::string_view text);  // AGE-SECRET-KEY-1…
AgeIdentity passphraseIdentity(std::string passphrase);

// age-keygen's format: `#` comments, blank lines and one AGE-SECRET-KEY-1… per line.
std::vector<AgeIdentity> readIdentityFile(const std::filesystem::path& file);
// The first line of the file, without its line ending; an empty passphrase is refused.
std::string readPassphraseFile(const std::filesystem::path& file);

AgeIdentity generateIdentity();
std::string formatIdentity(const AgeIdentity& identity);  // AGE-SECRET-KEY-1…
std::string publicKeyOf(const AgeIdentity& identity);     // age1…
AgeRecipient recipientOf(const AgeIdentity& identity);    // X25519 only

// One recipient stanza of a header: its arguments after "->" and its decoded body.
struct AgeStanza {
  std::vector<std::string> args;
  std::string body;
};

inline constexpr std::size_t kAgeFileKeySize = 16;

// Wraps the file key for one recipient (fresh ephemeral key or salt each call).
AgeStanza wrapFileKey(const AgeRecipient& recipient, const AgeSecret& fileKey);
// The file key if `stanza` is addressed to `identity` and opens with it; nullopt if it is another
// recipient's. Throws AgeError(BadHeader) for a malformed stanza of the identity's own type and
// AgeError(Unsupported) for a scrypt work factor above 2^maxScryptLogN.
std::optional<AgeSecret> unwrapFileKey(const AgeIdentity& identity, const AgeStanza& stanza,
                                       int maxScryptLogN);

}  // namespace volumes

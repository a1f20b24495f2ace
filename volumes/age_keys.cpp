#include "volumes/age_keys.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/rand.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>

#include "volumes/age_primitives.hpp"

namespace volumes {

using namespace age_detail;
using Kind = AgeError::Kind;

AgeSecret::~AgeSecret() {
  if (!bytes_.empty()) OPENSSL_cleanse(bytes_.data(), bytes_.size());
}

namespace {

std::string_view bytesOf(const AgeX25519Key& key) {
  return {reinterpret_cast<const char*>(key.data()), key.size()};
}

AgeSecret randomSecret(std::size_t size) {
  AgeSecret out(size);
  if (RAND_priv_bytes(out.data(), static_cast<int>(size)) != 1) opensslFailed("RAND_priv_bytes");
  return out;
}

}  // namespace

namespace {

// ---- Bech32 (BIP 173, without its 90-character limit) ----

constexpr std::string_view kBech32Charset = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
constexpr std::size_t kChecksumSize = 6;

std::uint32_t bech32Polymod(const AgeSecret& values) {
  constexpr std::uint32_t kGenerator[5] = {0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3};
  std::uint32_t chk = 1;
  for (std::size_t i = 0; i < values.size(); ++i) {
    std::uint32_t top = chk >> 25;
    chk = ((chk & 0x1ffffff) << 5) ^ values.data()[i];
    for (int bit = 0; bit < 5; ++bit) {
      if ((top >> bit) & 1) chk ^= kGenerator[bit];
    }
  }
  return chk;
}

// The checksum input starts with the HRP's high bits, a zero, then its low bits.
std::size_t expandHrp(std::string_view hrp, std::uint8_t* out) {
  std::size_t n = 0;
  for (unsigned char c : hrp) out[n++] = c >> 5;
  out[n++] = 0;
  for (unsigned char c : hrp) out[n++] = c & 31;
  return n;
}

// Secret keys pass through here too, so every intermediate buffer is an AgeSecret.
std::string bech32Encode(std::string_view hrp, std::string_view bytes) {
  const std::size_t groups = (bytes.size() * 8 + 4) / 5;
  AgeSecret values(hrp.size() * 2 + 1 + groups + kChecksumSize);
  std::size_t n = expandHrp(hrp, values.data());
  const std::size_t dataStart = n;
  std::uint32_t acc = 0;
  int bits = 0;
  for (unsigned char byte : bytes) {
    acc = (acc << 8 | byte) & 0xfff;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      values.data()[n++] = (acc >> bits) & 31;
    }
  }
  if (bits > 0) values.data()[n++] = (acc << (5 - bits)) & 31;
  acc = 0;
  // The trailing six zero groups are replaced by the checksum over everything before them.
  std::uint32_t mod = bech32Polymod(values) ^ 1;
  for (std::size_t i = 0; i < kChecksumSize; ++i) values.data()[n + i] = (mod >> (5 * (5 - i))) & 31;
  std::string out(hrp);
  out += '1';
  for (std::size_t i = dataStart; i < values.size(); ++i) out += kBech32Charset[values.data()[i]];
  return out;
}

struct Bech32 {
  std::string hrp;  // lowercase
  AgeSecret data;
};

std::optional<Bech32> bech32Decode(std::string_view text) {
  bool lower = false;
  bool upper = false;
  for (char c : text) {
    if (c < 33 || c > 126) return std::nullopt;
    lower = lower || (c >= 'a' && c <= 'z');
    upper = upper || (c >= 'A' && c <= 'Z');
  }
  if (lower && upper) return std::nullopt;
  AgeSecret folded(text);
  for (std::size_t i = 0; i < folded.size(); ++i) {
    std::uint8_t& c = folded.data()[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<std::uint8_t>(c - 'A' + 'a');
  }
  const std::string_view all = folded.view();
  const std::size_t sep = all.rfind('1');
  if (sep == std::string_view::npos || sep == 0 || sep + 1 + kChecksumSize > all.size()) return std::nullopt;
  const std::string_view hrp = all.substr(0, sep);
  const std::string_view chars = all.substr(sep + 1);
  AgeSecret values(hrp.size() * 2 + 1 + chars.size());
  std::size_t n = expandHrp(hrp, values.data());
  for (char c : chars) {
    std::size_t v = kBech32Charset.find(c);
    if (v == std::string_view::npos) return std::nullopt;
    values.data()[n++] = static_cast<std::uint8_t>(v);
  }
  if (bech32Polymod(values) != 1) return std::nullopt;
  const std::size_t groups = chars.size() - kChecksumSize;
  Bech32 out{std::string(hrp), AgeSecret(groups * 5 / 8)};
  std::uint32_t acc = 0;
  int bits = 0;
  std::size_t o = 0;
  for (std::size_t i = 0; i < groups; ++i) {
    acc = (acc << 5 | values.data()[hrp.size() * 2 + 1 + i]) & 0xfff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out.data.data()[o++] = (acc >> bits) & 0xff;
    }
  }
  // Only zero padding of fewer than five bits is canonical.
  bool canonical = bits < 5 && (acc & ((1u << bits) - 1)) == 0;
  acc = 0;
  if (!canonical) return std::nullopt;
  return out;
}

// ---- X25519 ----

AgeX25519Key x25519Public(const AgeSecret& secret) {
  PkeyPtr key(EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, nullptr, secret.data(), secret.size()));
  AgeX25519Key pub{};
  std::size_t len = pub.size();
  if (!key || EVP_PKEY_get_raw_public_key(key.get(), pub.data(), &len) != 1 || len != pub.size()) {
    opensslFailed("X25519 public key");
  }
  return pub;
}

// nullopt for a low-order peer share: the result would be all zeros, which the spec forbids
// (OpenSSL itself refuses to return it).
std::optional<AgeSecret> x25519Shared(const AgeSecret& secret, std::string_view peer) {
  PkeyPtr own(EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, nullptr, secret.data(), secret.size()));
  PkeyPtr other(EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, nullptr, udata(peer), peer.size()));
  PkeyCtxPtr ctx(own ? EVP_PKEY_CTX_new_from_pkey(nullptr, own.get(), nullptr) : nullptr);
  if (!other || !ctx || EVP_PKEY_derive_init(ctx.get()) != 1) opensslFailed("X25519 setup");
  AgeSecret shared(32);
  std::size_t len = shared.size();
  if (EVP_PKEY_derive_set_peer(ctx.get(), other.get()) != 1 ||
      EVP_PKEY_derive(ctx.get(), shared.data(), &len) != 1 || len != shared.size()) {
    ERR_clear_error();
    return std::nullopt;
  }
  const std::uint8_t zeros[32] = {};
  if (CRYPTO_memcmp(shared.data(), zeros, sizeof zeros) == 0) return std::nullopt;
  return shared;
}

// ---- the file key inside a stanza body: ChaCha20-Poly1305 under a one-time key, zero nonce ----

constexpr std::size_t kBodySize = kAgeFileKeySize + kAgeTagSize;

std::string sealFileKey(const AgeSecret& wrapKey, const AgeSecret& fileKey) {
  std::string body(kBodySize, '\0');
  Aead(wrapKey).seal(AgeNonce{}, fileKey.view(), reinterpret_cast<std::uint8_t*>(body.data()));
  return body;
}

std::optional<AgeSecret> openFileKey(const AgeSecret& wrapKey, std::string_view body) {
  AgeSecret fileKey(kAgeFileKeySize);
  if (!Aead(wrapKey).open(AgeNonce{}, body, fileKey.data())) return std::nullopt;
  return fileKey;
}

AgeError badStanza(const std::string& what) {
  return AgeError(Kind::BadHeader, "age header: " + what);
}

constexpr std::string_view kX25519Label = "age-encryption.org/v1/X25519";
constexpr std::string_view kScryptLabel = "age-encryption.org/v1/scrypt";

AgeStanza wrapX25519(const AgeX25519Key& recipient, const AgeSecret& fileKey) {
  AgeSecret ephemeral = randomSecret(32);
  AgeX25519Key share = x25519Public(ephemeral);
  std::optional<AgeSecret> shared = x25519Shared(ephemeral, bytesOf(recipient));
  if (!shared) throw AgeError(Kind::BadKey, "age: the X25519 recipient is a low-order point");
  std::string salt = std::string(bytesOf(share)) + std::string(bytesOf(recipient));
  AgeSecret wrapKey = hkdfSha256(shared->view(), salt, kX25519Label);
  return {{"X25519", base64Encode(bytesOf(share))}, sealFileKey(wrapKey, fileKey)};
}

std::optional<AgeSecret> unwrapX25519(const AgeSecret& secret, const AgeStanza& stanza) {
  if (stanza.args.empty() || stanza.args[0] != "X25519") return std::nullopt;
  if (stanza.args.size() != 2) throw badStanza("an X25519 stanza takes exactly one argument");
  std::optional<std::string> share = base64Decode(stanza.args[1]);
  if (!share || share->size() != 32) {
    throw badStanza("the X25519 share is not the canonical base64 of 32 bytes");
  }
  // Checked before any work, so that timing cannot tell bodies of other lengths apart.
  if (stanza.body.size() != kBodySize) throw badStanza("the X25519 stanza body is not 32 bytes");
  std::optional<AgeSecret> shared = x25519Shared(secret, *share);
  if (!shared) throw badStanza("the X25519 share is a low-order point");
  std::string salt = *share + std::string(bytesOf(x25519Public(secret)));
  return openFileKey(hkdfSha256(shared->view(), salt, kX25519Label), stanza.body);
}

AgeSecret scryptKey(const AgeSecret& passphrase, std::string_view salt, int logN) {
  const std::string label = std::string(kScryptLabel) + std::string(salt);
  const std::uint64_t n = std::uint64_t{1} << logN;
  const std::uint64_t r = 8;
  const std::uint64_t p = 1;
  // OpenSSL refuses anything above maxmem; allow what N needs (128·r·(N+2) plus the p blocks) so
  // that only our own work-factor limit decides.
  const std::uint64_t maxmem = 128 * r * (n + 2) + 128 * r * p + (1 << 20);
  AgeSecret key(32);
  if (EVP_PBE_scrypt(passphrase.view().data(), passphrase.size(), udata(label), label.size(), n, r, p, maxmem,
                     key.data(), key.size()) != 1) {
    opensslFailed("scrypt (out of memory?)");
  }
  return key;
}

AgeStanza wrapScrypt(const AgeRecipient& recipient, const AgeSecret& fileKey) {
  AgeSecret salt = randomSecret(16);
  AgeSecret wrapKey = scryptKey(recipient.passphrase, salt.view(), recipient.logN);
  return {{"scrypt", base64Encode(salt.view()), std::to_string(recipient.logN)},
          sealFileKey(wrapKey, fileKey)};
}

std::optional<AgeSecret> unwrapScrypt(const AgeSecret& passphrase, const AgeStanza& stanza, int maxLogN) {
  if (stanza.args.empty() || stanza.args[0] != "scrypt") return std::nullopt;
  if (stanza.args.size() != 3) throw badStanza("a scrypt stanza takes exactly a salt and a work factor");
  std::optional<std::string> salt = base64Decode(stanza.args[1]);
  if (!salt || salt->size() != 16) throw badStanza("the scrypt salt is not the canonical base64 of 16 bytes");
  const std::string& digits = stanza.args[2];
  bool decimal =
      !digits.empty() && digits[0] != '0' && digits.find_first_not_of("0123456789") == std::string::npos;
  if (!decimal) throw badStanza("the scrypt work factor is not a decimal number without leading zeros");
  if (digits.size() > 2 || std::stoi(digits) > maxLogN) {
    std::string shown = digits.size() <= 24 ? digits : digits.substr(0, 24) + "…";
    throw AgeError(Kind::Unsupported, "age: the scrypt work factor 2^" + shown + " is above the limit of 2^" +
                                          std::to_string(maxLogN) +
                                          " (refused: it would take too long or too much memory)");
  }
  if (stanza.body.size() != kBodySize) throw badStanza("the scrypt stanza body is not 32 bytes");
  return openFileKey(scryptKey(passphrase, *salt, std::stoi(digits)), stanza.body);
}

// ---- text forms and files ----

constexpr std::string_view kRecipientHrp = "age";
constexpr std::string_view kIdentityHrp = "age-secret-key-";

AgeSecret readSmallFile(const std::filesystem::path& file, const char* what) {
  constexpr std::uintmax_t kLimit = 1 << 20;
  std::error_code ec;
  std::uintmax_t size = std::filesystem::file_size(file, ec);
  if (ec)
    throw AgeError(Kind::BadKey,
                   std::string("cannot read ") + what + " " + file.string() + ": " + ec.message());
  if (size > kLimit) throw AgeError(Kind::BadKey, std::string(what) + " " + file.string() + " is too large");
  std::ifstream in(file, std::ios::binary);
  AgeSecret bytes(static_cast<std::size_t>(size));
  if (!in || !in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(size))) {
    throw AgeError(Kind::BadKey,
                   std::string("cannot read ") + what + " " + file.string() + ": " + std::strerror(errno));
  }
  return bytes;
}

std::string_view trim(std::string_view s) {
  const std::string_view space = " \t\r";
  std::size_t begin = s.find_first_not_of(space);
  if (begin == std::string_view::npos) return {};
  return s.substr(begin, s.find_last_not_of(space) - begin + 1);
}

}  // namespace

AgeRecipient parseRecipient(std::string_view text) {
  std::optional<Bech32> decoded = bech32Decode(text);
  if (!decoded || decoded->hrp != kRecipientHrp || decoded->data.size() != 32) {
    // age1pq1…, age1tag1… and plugin recipients (age1name1…) carry a longer prefix.
    bool otherType = text.substr(0, text.rfind('1')).starts_with("age1");
    // Never echoed when it looks like a secret key pasted in the wrong place.
    std::string shown = text.starts_with("AGE-SECRET-KEY-") || text.starts_with("age-secret-key-")
                            ? std::string("(a secret key, not shown)")
                            : "'" + std::string(text) + "'";
    throw AgeError(Kind::BadKey, shown + " is not an age X25519 recipient" +
                                     (otherType ? " (only X25519 age1… keys are supported)" : ""));
  }
  AgeRecipient out;
  std::memcpy(out.publicKey.data(), decoded->data.data(), out.publicKey.size());
  return out;
}

AgeRecipient passphraseRecipient(std::string passphrase, int logN) {
  if (logN < 1 || logN > 30) throw std::invalid_argument("age: scrypt logN must be between 1 and 30");
  AgeRecipient out;
  out.type = AgeRecipient::Type::Scrypt;
  out.passphrase = AgeSecret(passphrase);
  out.logN = logN;
  OPENSSL_cleanse(passphrase.data(), passphrase.size());
  if (out.passphrase.empty()) throw AgeError(Kind::BadKey, "age: the passphrase is empty");
  return out;
}

AgeIdentity parseIdentity(std::string_view text) {
  std::optional<Bech32> decoded = bech32Decode(text);
  if (decoded && decoded->hrp == "age-secret-key-pq-") {
    throw AgeError(Kind::BadKey, "post-quantum age identities (AGE-SECRET-KEY-PQ-1…) are not supported");
  }
  if (!decoded || decoded->hrp != kIdentityHrp || decoded->data.size() != 32) {
    throw AgeError(Kind::BadKey, "not an age secret key (expected AGE-SECRET-KEY-1…)");
  }
  return AgeIdentity{AgeIdentity::Type::X25519, std::move(decoded->data)};
}

AgeIdentity passphraseIdentity(std::string passphrase) {
  AgeIdentity out{AgeIdentity::Type::Scrypt, AgeSecret(passphrase)};
  OPENSSL_cleanse(passphrase.data(), passphrase.size());
  if (out.secret.empty()) throw AgeError(Kind::BadKey, "age: the passphrase is empty");
  return out;
}

std::vector<AgeIdentity> readIdentityFile(const std::filesystem::path& file) {
  AgeSecret content = readSmallFile(file, "identity file");
  std::string_view rest = content.view();
  std::vector<AgeIdentity> identities;
  for (int lineNo = 1; !rest.empty(); ++lineNo) {
    std::size_t end = rest.find('\n');
    std::string_view line = trim(rest.substr(0, end));
    rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end + 1);
    if (line.empty() || line[0] == '#') continue;
    try {
      identities.push_back(parseIdentity(line));
    } catch (const AgeError& e) {
      // The message names the line but never repeats it: it may hold a mistyped secret key.
      throw AgeError(Kind::BadKey, file.string() + ":" + std::to_string(lineNo) + ": " + e.what());
    }
  }
  if (identities.empty()) throw AgeError(Kind::BadKey, file.string() + ": no AGE-SECRET-KEY-1… line found");
  return identities;
}

std::string readPassphraseFile(const std::filesystem::path& file) {
  AgeSecret content = readSmallFile(file, "passphrase file");
  std::string_view line = content.view().substr(0, content.view().find('\n'));
  if (line.ends_with('\r')) line.remove_suffix(1);
  if (line.empty())
    throw AgeError(Kind::BadKey, "passphrase file " + file.string() + " has an empty first line");
  return std::string(line);
}

AgeIdentity generateIdentity() {
  return AgeIdentity{AgeIdentity::Type::X25519, randomSecret(32)};
}

std::string formatIdentity(const AgeIdentity& identity) {
  if (identity.type != AgeIdentity::Type::X25519) throw std::invalid_argument("age: not an X25519 identity");
  std::string text = bech32Encode(kIdentityHrp, identity.secret.view());
  for (char& c : text) c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
  return text;
}

AgeRecipient recipientOf(const AgeIdentity& identity) {
  if (identity.type != AgeIdentity::Type::X25519)
    throw std::invalid_argument("age: a passphrase has no public key");
  AgeRecipient out;
  out.publicKey = x25519Public(identity.secret);
  return out;
}

std::string publicKeyOf(const AgeIdentity& identity) {
  return bech32Encode(kRecipientHrp, bytesOf(recipientOf(identity).publicKey));
}

AgeStanza wrapFileKey(const AgeRecipient& recipient, const AgeSecret& fileKey) {
  if (recipient.type == AgeRecipient::Type::Scrypt) return wrapScrypt(recipient, fileKey);
  return wrapX25519(recipient.publicKey, fileKey);
}

std::optional<AgeSecret> unwrapFileKey(const AgeIdentity& identity, const AgeStanza& stanza,
                                       int maxScryptLogN) {
  if (identity.type == AgeIdentity::Type::Scrypt) return unwrapScrypt(identity.secret, stanza, maxScryptLogN);
  return unwrapX25519(identity.secret, stanza);
}

}  // namespace volumes

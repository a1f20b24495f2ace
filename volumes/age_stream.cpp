#include "volumes/age_stream.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <optional>
#include <string>

#include "volumes/age_primitives.hpp"

namespace volumes {

using Kind = AgeError::Kind;
using namespace age_detail;

namespace {

constexpr std::string_view kVersionLine = "age-encryption.org/v1";
constexpr std::string_view kVersionPrefix = "age-encryption.org/";
constexpr std::size_t kMaxHeaderSize = 64 * 1024;
constexpr std::size_t kBodyLineWidth = 64;
constexpr std::size_t kMacSize = 32;
constexpr std::size_t kPayloadNonceSize = 16;
constexpr std::size_t kChunkSize = 64 * 1024;
constexpr std::size_t kSealedChunkSize = kChunkSize + kAgeTagSize;

std::string_view chars(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// STREAM: an 11-byte big-endian chunk counter, then 1 for the final chunk and 0 before it.
AgeNonce chunkNonce(std::uint64_t counter, bool last) {
  AgeNonce nonce{};
  for (int i = 0; i < 8; ++i) nonce[10 - i] = static_cast<std::uint8_t>(counter >> (8 * i));
  nonce[11] = last ? 1 : 0;
  return nonce;
}

std::string headerMac(const AgeSecret& fileKey, std::string_view headerUpToDashes) {
  AgeSecret key = hkdfSha256(fileKey.view(), {}, "header");
  std::array<std::uint8_t, kMacSize> mac{};
  std::size_t len = 0;
  if (EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA256", nullptr, key.data(), key.size(),
                reinterpret_cast<const unsigned char*>(headerUpToDashes.data()), headerUpToDashes.size(),
                mac.data(), mac.size(), &len) == nullptr ||
      len != mac.size()) {
    throw std::runtime_error("age: OpenSSL HMAC-SHA-256 failed");
  }
  return std::string(chars(mac.data(), mac.size()));
}

AgeSecret randomBytes(std::size_t size) {
  AgeSecret out(size);
  if (RAND_priv_bytes(out.data(), static_cast<int>(size)) != 1) {
    throw std::runtime_error("age: OpenSSL RAND_priv_bytes failed");
  }
  return out;
}

std::string formatStanza(const AgeStanza& stanza) {
  std::string out = "->";
  for (const std::string& arg : stanza.args) out += ' ' + arg;
  out += '\n';
  // The body ends with its first line shorter than 64 columns, empty if need be.
  const std::string body = base64Encode(stanza.body);
  for (std::size_t at = 0;; at += kBodyLineWidth) {
    std::string_view line = std::string_view(body).substr(std::min(at, body.size()), kBodyLineWidth);
    out.append(line);
    out += '\n';
    if (line.size() < kBodyLineWidth) return out;
  }
}

AgeError badHeader(const std::string& what) {
  return AgeError(Kind::BadHeader, "age header: " + what);
}

bool isArgument(std::string_view arg) {
  return !arg.empty() && std::all_of(arg.begin(), arg.end(), [](char c) { return c >= 0x21 && c <= 0x7e; });
}

// Collects the header and checks each line as it completes, so that a damaged or non-age input fails
// at its first bad line rather than after 64 KiB.
class HeaderReader {
 public:
  // Takes bytes up to the end of the MAC line and returns how many it took.
  std::size_t feed(std::string_view bytes) {
    std::size_t used = 0;
    while (used < bytes.size() && !complete()) {
      std::size_t newline = bytes.find('\n', used);
      std::size_t end = newline == std::string_view::npos ? bytes.size() : newline + 1;
      if (raw_.size() + (end - used) > kMaxHeaderSize) throw badHeader("larger than 64 KiB");
      raw_.append(bytes.substr(used, end - used));
      used = end;
      if (newline == std::string_view::npos) {
        checkVersionPrefix();
        break;
      }
      line(std::string_view(raw_).substr(lineStart_, raw_.size() - 1 - lineStart_));
      lineStart_ = raw_.size();
    }
    return used;
  }

  bool complete() const { return expect_ == Expect::Done; }
  bool empty() const { return raw_.empty(); }
  std::string_view macInput() const { return std::string_view(raw_).substr(0, macInputSize_); }
  const std::string& mac() const { return mac_; }
  const std::vector<AgeStanza>& stanzas() const { return stanzas_; }

 private:
  enum class Expect { Version, StanzaOrMac, Body, Done };

  // Anything else than an age file is recognised from its first bytes.
  void checkVersionPrefix() const {
    if (expect_ != Expect::Version) return;
    std::string_view start = std::string_view(raw_).substr(0, kVersionPrefix.size());
    if (!kVersionPrefix.starts_with(start)) throw badHeader("not an age file (no age-encryption.org/ line)");
  }

  void line(std::string_view text) {
    switch (expect_) {
      case Expect::Version:
        return version(text);
      case Expect::StanzaOrMac:
        if (text.starts_with("->")) return stanzaStart(text);
        if (text.starts_with("---")) return macLine(text);
        throw badHeader("expected a recipient stanza (->) or the MAC line (---)");
      case Expect::Body:
        return bodyLine(text);
      case Expect::Done:
        return;
    }
  }

  void version(std::string_view text) {
    if (text == kVersionLine) {
      expect_ = Expect::StanzaOrMac;
      return;
    }
    checkVersionPrefix();
    // Only a well-formed version line (printable, no CR) names another version.
    std::string_view version = text.substr(kVersionPrefix.size());
    if (!isArgument(version)) throw badHeader("malformed version line");
    throw AgeError(Kind::Unsupported, "age: unsupported format version '" +
                                          std::string(version.substr(0, 32)) + "' (only v1 is supported)");
  }

  void stanzaStart(std::string_view text) {
    if (!text.starts_with("-> ")) throw badHeader("a recipient stanza has no arguments");
    AgeStanza stanza;
    std::string_view rest = text.substr(3);
    while (true) {
      std::size_t space = rest.find(' ');
      std::string_view arg = rest.substr(0, space);
      if (!isArgument(arg)) throw badHeader("a stanza argument is empty or has a character outside ! to ~");
      stanza.args.emplace_back(arg);
      if (space == std::string_view::npos) break;
      rest.remove_prefix(space + 1);
    }
    stanzas_.push_back(std::move(stanza));
    expect_ = Expect::Body;
  }

  void bodyLine(std::string_view text) {
    if (text.size() > kBodyLineWidth) throw badHeader("a stanza body line is longer than 64 columns");
    body_.append(text);
    if (text.size() == kBodyLineWidth) return;
    std::optional<std::string> body = base64Decode(body_);
    // A stanza that ran into "->" or "---" lacked its short final line.
    if (!body) {
      throw badHeader("a stanza body is not canonical unpadded base64, or lacks its short last line");
    }
    stanzas_.back().body = std::move(*body);
    body_.clear();
    expect_ = Expect::StanzaOrMac;
  }

  void macLine(std::string_view text) {
    if (stanzas_.empty()) throw badHeader("no recipient stanzas");
    std::optional<std::string> mac;
    if (text.starts_with("--- ")) mac = base64Decode(text.substr(4));
    if (!mac || mac->size() != kMacSize) {
      throw badHeader("the MAC line is not '--- ' and 43 base64 characters");
    }
    mac_ = std::move(*mac);
    macInputSize_ = lineStart_ + 3;  // the MAC covers the header up to and including "---"
    expect_ = Expect::Done;
  }

  std::string raw_;
  std::size_t lineStart_ = 0;
  Expect expect_ = Expect::Version;
  std::vector<AgeStanza> stanzas_;
  std::string body_;  // base64 of the stanza being read
  std::string mac_;
  std::size_t macInputSize_ = 0;
};

}  // namespace

// ---------------------------------------------------------------------------------------------
// Encryption

struct AgeEncryptor::State {
  base::ChunkSink out;
  std::optional<Aead> aead;
  std::vector<std::uint8_t> plain = std::vector<std::uint8_t>(kChunkSize);
  std::size_t fill = 0;
  std::vector<std::uint8_t> sealed = std::vector<std::uint8_t>(kSealedChunkSize);
  std::uint64_t counter = 0;
  std::string header;  // for replay()

  void seal(std::string_view chunk, bool last) {
    aead->seal(chunkNonce(counter++, last), chunk, sealed.data());
    out(chars(sealed.data(), chunk.size() + kAgeTagSize));
  }
};

AgeEncryptor::AgeEncryptor(base::ChunkSink out, const std::vector<AgeRecipient>& recipients)
    : state_(std::make_unique<State>()) {
  state_->out = std::move(out);
  if (recipients.empty()) throw std::invalid_argument("age: no recipients");
  bool passphrase = std::any_of(recipients.begin(), recipients.end(),
                                [](const AgeRecipient& r) { return r.type == AgeRecipient::Type::Scrypt; });
  if (passphrase && recipients.size() > 1) {
    throw std::invalid_argument("age: a passphrase must be the only recipient of a file");
  }
  const AgeSecret fileKey = randomBytes(kAgeFileKeySize);
  std::string header = std::string(kVersionLine) + '\n';
  for (const AgeRecipient& recipient : recipients) header += formatStanza(wrapFileKey(recipient, fileKey));
  header += "---";
  header += ' ' + base64Encode(headerMac(fileKey, header)) + '\n';
  const AgeSecret nonce = randomBytes(kPayloadNonceSize);
  header.append(nonce.view());
  state_->aead.emplace(hkdfSha256(fileKey.view(), nonce.view(), "payload"));
  state_->header = header;
  state_->out(header);
}

void AgeEncryptor::replay() {
  state_->counter = 0;
  state_->fill = 0;
  in_ = 0;
  finished_ = false;
  state_->out(state_->header);
}

AgeEncryptor::~AgeEncryptor() = default;

void AgeEncryptor::write(std::string_view bytes) {
  if (finished_) throw std::logic_error("age: write after finish");
  in_ += bytes.size();
  State& s = *state_;
  while (!bytes.empty()) {
    // A full chunk is sealed only when more input proves it is not the final one.
    if (s.fill == kChunkSize) {
      s.seal(chars(s.plain.data(), kChunkSize), false);
      s.fill = 0;
    }
    if (s.fill == 0 && bytes.size() > kChunkSize) {  // whole chunks go straight from the input
      s.seal(bytes.substr(0, kChunkSize), false);
      bytes.remove_prefix(kChunkSize);
      continue;
    }
    std::size_t take = std::min(kChunkSize - s.fill, bytes.size());
    std::memcpy(s.plain.data() + s.fill, bytes.data(), take);
    s.fill += take;
    bytes.remove_prefix(take);
  }
}

void AgeEncryptor::finish() {
  if (finished_) return;
  // Empty only if the whole file is empty, as the format requires.
  state_->seal(chars(state_->plain.data(), state_->fill), true);
  finished_ = true;
}

// ---------------------------------------------------------------------------------------------
// Decryption

struct AgeDecryptor::State {
  enum class Phase { Header, Nonce, Payload, Done };

  base::ChunkSink out;
  std::uint64_t* outBytes;
  std::vector<AgeIdentity> identities;
  int maxScryptLogN;
  std::optional<AgeError> failure;
  Phase phase = Phase::Header;
  bool finished = false;

  HeaderReader header;
  AgeSecret fileKey;
  std::string nonce;

  std::optional<Aead> aead;
  std::vector<std::uint8_t> sealed = std::vector<std::uint8_t>(kSealedChunkSize);
  std::size_t fill = 0;
  std::vector<std::uint8_t> plain = std::vector<std::uint8_t>(kChunkSize);
  std::uint64_t counter = 0;

  void write(std::string_view bytes);
  void finish();
  void unwrapFileKey();
  void wholeChunk(std::string_view chunk);
  void emit(std::size_t size) {
    *outBytes += size;
    out(chars(plain.data(), size));
  }
};

void AgeDecryptor::State::unwrapFileKey() {
  const std::vector<AgeStanza>& stanzas = header.stanzas();
  // Only one party knows a passphrase; mixing it with other recipients would let them forge the file.
  for (const AgeStanza& stanza : stanzas) {
    if (stanza.args[0] == "scrypt" && stanzas.size() > 1) {
      throw badHeader("a passphrase (scrypt) stanza must be the only stanza");
    }
  }
  std::optional<AgeSecret> key;
  for (const AgeStanza& stanza : stanzas) {
    for (const AgeIdentity& identity : identities) {
      key = volumes::unwrapFileKey(identity, stanza, maxScryptLogN);
      if (key) break;
    }
    if (key) break;
  }
  if (!key) {
    throw AgeError(Kind::NoIdentityMatched, "age: none of the given keys or passphrases opens this file (" +
                                                std::to_string(stanzas.size()) + " recipient stanza" +
                                                (stanzas.size() == 1 ? "" : "s") +
                                                "; wrong key or passphrase?)");
  }
  const std::string expected = headerMac(*key, header.macInput());
  if (CRYPTO_memcmp(expected.data(), header.mac().data(), kMacSize) != 0) {
    throw AgeError(Kind::Corrupt,
                   "age: the header MAC does not match (the file header was altered or damaged)");
  }
  fileKey = std::move(*key);
  identities.clear();  // not needed any more; their secrets are wiped now
}

// A whole sealed chunk is decided at once, as the reference implementation does: a middle chunk
// if it opens as one, else the final chunk if it opens as that (then nothing may follow it).
void AgeDecryptor::State::wholeChunk(std::string_view chunk) {
  if (aead->open(chunkNonce(counter, false), chunk, plain.data())) {
    ++counter;
    emit(kChunkSize);
    return;
  }
  if (!aead->open(chunkNonce(counter, true), chunk, plain.data())) {
    throw AgeError(Kind::Corrupt,
                   "age: payload chunk " + std::to_string(counter) + " does not authenticate (corrupt)");
  }
  phase = Phase::Done;
  emit(kChunkSize);
}

void AgeDecryptor::State::write(std::string_view bytes) {
  if (finished) throw std::logic_error("age: write after finish");
  if (phase == Phase::Header) {
    bytes.remove_prefix(header.feed(bytes));
    if (!header.complete()) return;
    unwrapFileKey();
    phase = Phase::Nonce;
  }
  if (phase == Phase::Nonce) {
    std::size_t take = std::min(kPayloadNonceSize - nonce.size(), bytes.size());
    nonce.append(bytes.substr(0, take));
    bytes.remove_prefix(take);
    if (nonce.size() < kPayloadNonceSize) return;
    aead.emplace(hkdfSha256(fileKey.view(), nonce, "payload"));
    fileKey = AgeSecret();
    phase = Phase::Payload;
  }
  while (!bytes.empty()) {
    if (phase == Phase::Done) throw AgeError(Kind::Corrupt, "age: unexpected data after the final chunk");
    if (fill == 0 && bytes.size() >= kSealedChunkSize) {  // whole chunks straight from the input
      wholeChunk(bytes.substr(0, kSealedChunkSize));
      bytes.remove_prefix(kSealedChunkSize);
      continue;
    }
    std::size_t take = std::min(kSealedChunkSize - fill, bytes.size());
    std::memcpy(sealed.data() + fill, bytes.data(), take);
    fill += take;
    bytes.remove_prefix(take);
    if (fill == kSealedChunkSize) {
      fill = 0;
      wholeChunk(chars(sealed.data(), kSealedChunkSize));
    }
  }
}

void AgeDecryptor::State::finish() {
  switch (phase) {
    case Phase::Header:
      throw AgeError(Kind::Truncated, header.empty() ? "age: the input is empty (not an age file)"
                                                     : "age: the input ends inside the header (truncated)");
    case Phase::Nonce:
      throw AgeError(Kind::Truncated, "age: the input ends before the payload nonce (truncated)");
    case Phase::Done:
      finished = true;
      return;
    case Phase::Payload:
      break;
  }
  if (fill == 0) {
    throw AgeError(Kind::Truncated, counter == 0
                                        ? "age: the file has no payload (truncated)"
                                        : "age: the file ends after chunk " + std::to_string(counter - 1) +
                                              " without its final chunk (truncated)");
  }
  // A short last chunk can only be the final one.
  if (fill < kAgeTagSize) throw AgeError(Kind::Truncated, "age: the last chunk is cut short (truncated)");
  if (fill == kAgeTagSize && counter > 0) {
    throw AgeError(Kind::Corrupt, "age: the final chunk is empty, which only an empty file may have");
  }
  if (!aead->open(chunkNonce(counter, true), chars(sealed.data(), fill), plain.data())) {
    throw AgeError(Kind::Corrupt, "age: the last chunk does not authenticate (corrupt or truncated)");
  }
  phase = Phase::Done;
  finished = true;
  emit(fill - kAgeTagSize);
}

AgeDecryptor::AgeDecryptor(base::ChunkSink out, const std::vector<AgeIdentity>& identities, int maxScryptLogN)
    : state_(std::make_unique<State>()) {
  state_->out = std::move(out);
  state_->outBytes = &out_;
  state_->identities = identities;
  state_->maxScryptLogN = maxScryptLogN;
  if (identities.empty()) throw std::invalid_argument("age: no identities to decrypt with");
}

AgeDecryptor::~AgeDecryptor() = default;

void AgeDecryptor::write(std::string_view bytes) {
  if (state_->failure) throw *state_->failure;
  try {
    state_->write(bytes);
  } catch (const AgeError& e) {
    state_->failure = e;
    throw;
  }
}

void AgeDecryptor::finish() {
  if (state_->failure) throw *state_->failure;
  try {
    state_->finish();
  } catch (const AgeError& e) {
    state_->failure = e;
    throw;
  }
}

}  // namespace volumes

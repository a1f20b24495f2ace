// age v1 streams: round trips at chunk boundaries under any input split, every way a file can be
// wrong (key, header, payload, length), and the C2SP/CCTV test vectors in tests/data/age.
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <random>

#include "volumes/age_stream.hpp"
#include "volumes/zstd_stream.hpp"

namespace fs = std::filesystem;
using volumes::AgeDecryptor;
using volumes::AgeEncryptor;
using volumes::AgeError;
using volumes::AgeIdentity;
using volumes::AgeRecipient;
using Kind = AgeError::Kind;

namespace {

constexpr std::size_t kChunk = 64 * 1024;

std::string randomBytes(std::size_t size, unsigned seed) {
  std::mt19937 rng(seed);
  std::string out(size, '\0');
  for (char& c : out) c = static_cast<char>(rng());
  return out;
}

std::string sha256Hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), digest, &len, EVP_sha256(), nullptr);
  std::string hex;
  for (unsigned int i = 0; i < len; ++i) {
    static const char* digits = "0123456789abcdef";
    hex += digits[digest[i] >> 4];
    hex += digits[digest[i] & 15];
  }
  return hex;
}

// How a stream is cut into write() calls: 0 = all at once, 1 = byte by byte, else random pieces.
using Split = int;
constexpr Split kWhole = 0;
constexpr Split kBytes = 1;
constexpr Split kRandom = 2;

void feed(std::string_view data, Split split, const std::function<void(std::string_view)>& write) {
  std::mt19937 rng(12345);
  while (!data.empty()) {
    std::size_t n = data.size();
    if (split == kBytes) n = 1;
    if (split == kRandom) n = std::min<std::size_t>(data.size(), 1 + rng() % (3 * kChunk));
    write(data.substr(0, n));
    data.remove_prefix(n);
  }
}

std::string encrypt(std::string_view plain, const std::vector<AgeRecipient>& recipients,
                    Split split = kWhole) {
  std::string out;
  AgeEncryptor enc([&](std::string_view c) { out.append(c); }, recipients);
  feed(plain, split, [&](std::string_view c) { enc.write(c); });
  enc.finish();
  EXPECT_EQ(enc.bytesIn(), plain.size());
  return out;
}

struct Decrypted {
  std::string plain;  // everything released, even when decryption then failed
  std::optional<AgeError> error;
};

Decrypted decrypt(std::string_view file, const std::vector<AgeIdentity>& identities, Split split = kWhole,
                  int maxLogN = 22) {
  Decrypted result;
  AgeDecryptor dec([&](std::string_view c) { result.plain.append(c); }, identities, maxLogN);
  try {
    feed(file, split, [&](std::string_view c) { dec.write(c); });
    dec.finish();
    EXPECT_EQ(dec.bytesOut(), result.plain.size());
  } catch (const AgeError& e) {
    result.error = e;
  }
  return result;
}

std::string kindName(const std::optional<AgeError>& e) {
  if (!e) return "success";
  switch (e->kind()) {
    case Kind::NoIdentityMatched:
      return "NoIdentityMatched";
    case Kind::BadHeader:
      return "BadHeader";
    case Kind::Corrupt:
      return "Corrupt";
    case Kind::Truncated:
      return "Truncated";
    case Kind::Unsupported:
      return "Unsupported";
    case Kind::BadKey:
      return "BadKey";
  }
  return "?";
}

AgeRecipient recipientFor(const AgeIdentity& id) {
  return volumes::parseRecipient(volumes::publicKeyOf(id));
}

// Encrypted size: header, 16-byte nonce, then each chunk plus its 16-byte tag.
std::size_t payloadSize(std::size_t plain) {
  std::size_t chunks = plain == 0 ? 1 : (plain + kChunk - 1) / kChunk;
  return 16 + plain + 16 * chunks;
}

std::size_t headerSize(const std::string& file) {
  return file.find("\n--- ") + 5 + 43 + 1;
}

}  // namespace

// ---- keys ----

TEST(AgeKeys, TheSpecExampleKeyPairMatches) {
  AgeIdentity id =
      volumes::parseIdentity("AGE-SECRET-KEY-1GFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPQ4EGAEX");
  EXPECT_EQ(volumes::publicKeyOf(id), "age1zvkyg2lqzraa2lnjvqej32nkuu0ues2s82hzrye869xeexvn73equnujwj");
  EXPECT_EQ(volumes::formatIdentity(id),
            "AGE-SECRET-KEY-1GFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPQ4EGAEX");
}

TEST(AgeKeys, GeneratedKeysRoundTripThroughTheirTextForms) {
  AgeIdentity id = volumes::generateIdentity();
  std::string text = volumes::formatIdentity(id);
  EXPECT_TRUE(text.starts_with("AGE-SECRET-KEY-1")) << text.substr(0, 16);
  EXPECT_EQ(volumes::parseIdentity(text).secret.view(), id.secret.view());
  std::string pub = volumes::publicKeyOf(id);
  ASSERT_TRUE(pub.starts_with("age1"));
  EXPECT_EQ(pub.size(), 62u);
  EXPECT_EQ(volumes::parseRecipient(pub).publicKey, volumes::recipientOf(id).publicKey);
  EXPECT_NE(volumes::formatIdentity(volumes::generateIdentity()), text);
}

TEST(AgeKeys, MalformedKeysAreRefused) {
  const std::string good = "age1zvkyg2lqzraa2lnjvqej32nkuu0ues2s82hzrye869xeexvn73equnujwj";
  auto refused = [](std::string_view text) {
    try {
      volumes::parseRecipient(text);
    } catch (const AgeError& e) {
      return e.kind() == Kind::BadKey;
    }
    return false;
  };
  EXPECT_TRUE(refused(good.substr(0, good.size() - 1) + "q"));  // checksum
  EXPECT_TRUE(refused("Age1" + good.substr(4)));                // mixed case
  EXPECT_TRUE(refused("bge1" + good.substr(4)));                // another HRP (and checksum)
  EXPECT_TRUE(refused(""));
  EXPECT_TRUE(refused("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHhz"));
  EXPECT_FALSE(refused(good));
  try {
    volumes::parseRecipient("age1pq1x34nzsvr0rxjsgdn8zgyhfe8j7ceq5r9rdelkjuh3y235jzxshfg87pzf5z");
  } catch (const AgeError& e) {
    EXPECT_NE(std::string(e.what()).find("only X25519"), std::string::npos) << e.what();
  }
  EXPECT_THROW(volumes::parseIdentity(good), AgeError);
  EXPECT_THROW(volumes::passphraseRecipient(""), AgeError);
}

class AgeKeyFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("agentchat-agekeys-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name, std::ios::binary) << text;
    return dir_ / name;
  }
  fs::path dir_;
};

TEST_F(AgeKeyFiles, IdentityFilesAcceptCommentsBlankLinesAndCrlf) {
  AgeIdentity a = volumes::generateIdentity();
  AgeIdentity b = volumes::generateIdentity();
  auto file =
      write("keys.txt", "# created: 2024-01-01T00:00:00Z\n# public key: " + volumes::publicKeyOf(a) + "\n" +
                            volumes::formatIdentity(a) + "\n\n  " + volumes::formatIdentity(b) + "\r\n");
  auto ids = volumes::readIdentityFile(file);
  ASSERT_EQ(ids.size(), 2u);
  EXPECT_EQ(ids[0].secret.view(), a.secret.view());
  EXPECT_EQ(ids[1].secret.view(), b.secret.view());
}

TEST_F(AgeKeyFiles, AnythingElseInAnIdentityFileNamesTheLineButNotItsText) {
  std::string key = volumes::formatIdentity(volumes::generateIdentity());
  std::string typo = key.substr(0, key.size() - 1) + (key.back() == 'Q' ? "P" : "Q");
  auto file = write("keys.txt", "# comment\n" + key + "\n" + typo + "\n");
  try {
    volumes::readIdentityFile(file);
    FAIL() << "a mistyped key was accepted";
  } catch (const AgeError& e) {
    std::string what = e.what();
    EXPECT_EQ(e.kind(), Kind::BadKey);
    EXPECT_NE(what.find("keys.txt:3:"), std::string::npos) << what;
    EXPECT_EQ(what.find(typo.substr(16, 20)), std::string::npos) << "the message repeats the secret";
  }
  EXPECT_THROW(volumes::readIdentityFile(write("empty.txt", "# nothing\n\n")), AgeError);
  EXPECT_THROW(volumes::readIdentityFile(dir_ / "missing.txt"), AgeError);
}

TEST_F(AgeKeyFiles, PassphraseFilesYieldTheirFirstLine) {
  EXPECT_EQ(volumes::readPassphraseFile(write("p1", "correct horse\nsecond line\n")), "correct horse");
  EXPECT_EQ(volumes::readPassphraseFile(write("p2", "no newline")), "no newline");
  EXPECT_EQ(volumes::readPassphraseFile(write("p3", "crlf\r\n")), "crlf");
  EXPECT_THROW(volumes::readPassphraseFile(write("p4", "\nlater")), AgeError);
  EXPECT_THROW(volumes::readPassphraseFile(write("p5", "")), AgeError);
}

TEST(AgeKeys, SecretsSurviveCopiesAndMoves) {
  volumes::AgeSecret a(std::string_view("secret bytes"));
  volumes::AgeSecret b = a;
  volumes::AgeSecret c = std::move(a);
  EXPECT_EQ(b.view(), "secret bytes");
  EXPECT_EQ(c.view(), "secret bytes");
  b = c;
  c = volumes::AgeSecret();
  EXPECT_EQ(b.view(), "secret bytes");
  EXPECT_TRUE(c.empty());
}

// ---- round trips ----

TEST(AgeStream, RoundTripsAtChunkBoundariesUnderAnySplit) {
  AgeIdentity id = volumes::generateIdentity();
  for (std::size_t size : {std::size_t{0}, std::size_t{1}, kChunk - 1, kChunk, kChunk + 1, 3 * kChunk,
                           (std::size_t{1} << 20) + 123}) {
    std::string plain = randomBytes(size, static_cast<unsigned>(size));
    for (Split encSplit : {kWhole, kRandom, kBytes}) {
      if (encSplit == kBytes && size > 3 * kChunk) continue;
      std::string file = encrypt(plain, {recipientFor(id)}, encSplit);
      ASSERT_TRUE(file.starts_with("age-encryption.org/v1\n-> X25519 "));
      EXPECT_EQ(file.size(), headerSize(file) + payloadSize(size)) << size;
      for (Split decSplit : {kWhole, kRandom, kBytes}) {
        Decrypted out = decrypt(file, {id}, decSplit);
        ASSERT_FALSE(out.error) << size << ": " << out.error->what();
        ASSERT_EQ(out.plain.size(), size);
        EXPECT_TRUE(out.plain == plain) << "size " << size << " splits " << encSplit << "/" << decSplit;
      }
    }
  }
}

TEST(AgeStream, PassphraseRoundTripAndItsRules) {
  std::string plain = randomBytes(100000, 7);
  std::string file = encrypt(plain, {volumes::passphraseRecipient("correct horse", 10)}, kRandom);
  EXPECT_NE(file.find("\n-> scrypt "), std::string::npos);
  EXPECT_NE(file.find(" 10\n"), std::string::npos);
  Decrypted out = decrypt(file, {volumes::passphraseIdentity("correct horse")}, kBytes);
  ASSERT_FALSE(out.error) << out.error->what();
  EXPECT_TRUE(out.plain == plain);

  EXPECT_EQ(kindName(decrypt(file, {volumes::passphraseIdentity("wrong horse")}).error), "NoIdentityMatched");
  // A work factor above the caller's limit is refused before any scrypt work, and says so.
  Decrypted capped = decrypt(file, {volumes::passphraseIdentity("correct horse")}, kWhole, 9);
  ASSERT_EQ(kindName(capped.error), "Unsupported");
  EXPECT_NE(std::string(capped.error->what()).find("limit"), std::string::npos) << capped.error->what();
  // A passphrase cannot share a file with other recipients.
  AgeIdentity id = volumes::generateIdentity();
  EXPECT_THROW(encrypt("x", {volumes::passphraseRecipient("p", 10), recipientFor(id)}),
               std::invalid_argument);
  EXPECT_THROW(encrypt("x", {}), std::invalid_argument);
}

TEST(AgeStream, EveryRecipientOfAFileCanOpenIt) {
  std::vector<AgeIdentity> ids;
  std::vector<AgeRecipient> recipients;
  for (int i = 0; i < 3; ++i) {
    ids.push_back(volumes::generateIdentity());
    recipients.push_back(recipientFor(ids.back()));
  }
  std::string plain = randomBytes(2 * kChunk + 5, 3);
  std::string file = encrypt(plain, recipients);
  for (const AgeIdentity& id : ids) {
    Decrypted out = decrypt(file, {id}, kRandom);
    ASSERT_FALSE(out.error) << out.error->what();
    EXPECT_TRUE(out.plain == plain);
  }
  // Among several identities, the one that matches is used.
  Decrypted out = decrypt(file, {volumes::generateIdentity(), ids[2]});
  EXPECT_FALSE(out.error);
}

TEST(AgeStream, AWrongKeyOrPassphraseIsNoMatch) {
  std::string file = encrypt("hello", {recipientFor(volumes::generateIdentity())});
  Decrypted out = decrypt(file, {volumes::generateIdentity(), volumes::passphraseIdentity("x")});
  EXPECT_EQ(kindName(out.error), "NoIdentityMatched");
  EXPECT_TRUE(out.plain.empty());
}

// ---- damage ----

TEST(AgeStream, AnyFlippedHeaderBitFailsBeforeReleasingPlaintext) {
  AgeIdentity mine = volumes::generateIdentity();
  std::string file = encrypt("payload", {recipientFor(mine), recipientFor(volumes::generateIdentity())});
  const std::size_t header = headerSize(file);
  for (std::size_t at = 0; at < header; ++at) {
    for (char bit : {'\x01', '\x40'}) {
      std::string bad = file;
      bad[at] = static_cast<char>(bad[at] ^ bit);
      Decrypted out = decrypt(bad, {mine});
      ASSERT_TRUE(out.error) << "flipped byte " << at << " went unnoticed";
      EXPECT_TRUE(out.plain.empty());
    }
  }
  // The other recipient's stanza is not ours to open, so only the header MAC can catch its change.
  std::size_t second = file.find("-> X25519 ", file.find("-> X25519 ") + 1);
  std::string bad = file;
  bad[second + 12] = bad[second + 12] == 'A' ? 'B' : 'A';
  EXPECT_EQ(kindName(decrypt(bad, {mine}).error), "Corrupt");
  // A changed MAC is corruption too.
  bad = file;
  std::size_t mac = file.find("\n--- ") + 5;
  bad[mac] = bad[mac] == 'A' ? 'B' : 'A';
  EXPECT_EQ(kindName(decrypt(bad, {mine}).error), "Corrupt");
}

TEST(AgeStream, AFlippedPayloadByteIsCorruptAndOnlyEarlierChunksAreReleased) {
  AgeIdentity id = volumes::generateIdentity();
  std::string plain = randomBytes(3 * kChunk + 10, 5);
  std::string file = encrypt(plain, {recipientFor(id)});
  const std::size_t payload = headerSize(file) + 16;
  for (std::size_t chunk = 0; chunk < 4; ++chunk) {
    for (std::size_t offset : {std::size_t{0}, std::size_t{9}, kChunk + 15}) {
      std::size_t at = payload + chunk * (kChunk + 16) + offset;
      if (at >= file.size()) continue;
      std::string bad = file;
      bad[at] = static_cast<char>(bad[at] ^ 0x80);
      Decrypted out = decrypt(bad, {id}, kRandom);
      EXPECT_EQ(kindName(out.error), "Corrupt") << "chunk " << chunk << " offset " << offset;
      EXPECT_EQ(out.plain.size(), chunk * kChunk);
      EXPECT_TRUE(std::string_view(plain).starts_with(out.plain));
    }
  }
  // The payload nonce is bound too: changing it changes every chunk key.
  std::string bad = file;
  bad[payload - 1] = static_cast<char>(bad[payload - 1] ^ 1);
  EXPECT_EQ(kindName(decrypt(bad, {id}).error), "Corrupt");
}

TEST(AgeStream, ATruncatedFileNeverDecryptsCompletely) {
  AgeIdentity id = volumes::generateIdentity();
  std::string plain = randomBytes(2 * kChunk, 9);  // two full chunks, the second one final
  std::string file = encrypt(plain, {recipientFor(id)});
  const std::size_t payload = headerSize(file) + 16;

  // Cut at a chunk boundary: the authentic first chunk is released, then the missing final chunk
  // is reported.
  Decrypted out = decrypt(file.substr(0, payload + kChunk + 16), {id});
  EXPECT_EQ(kindName(out.error), "Truncated");
  EXPECT_TRUE(out.plain == plain.substr(0, kChunk));
  EXPECT_EQ(kindName(decrypt(file.substr(0, file.size() - 1), {id}).error), "Corrupt");
  EXPECT_EQ(kindName(decrypt(file.substr(0, payload), {id}).error), "Truncated");
  EXPECT_EQ(kindName(decrypt(file.substr(0, payload - 3), {id}).error), "Truncated");
  EXPECT_EQ(kindName(decrypt(file.substr(0, 30), {id}).error), "Truncated");
  EXPECT_EQ(kindName(decrypt("", {id}).error), "Truncated");
  for (std::size_t cut = 0; cut < file.size(); cut += 997) {
    Decrypted part = decrypt(file.substr(0, cut), {id}, kRandom);
    ASSERT_TRUE(part.error) << "cut at " << cut;
    EXPECT_TRUE(part.error->kind() == Kind::Truncated || part.error->kind() == Kind::Corrupt) << cut;
  }
}

TEST(AgeStream, BytesAfterTheFinalChunkAreRejected) {
  AgeIdentity id = volumes::generateIdentity();
  for (std::size_t size : {std::size_t{0}, std::size_t{100}, kChunk, 2 * kChunk}) {
    std::string file = encrypt(randomBytes(size, 1), {recipientFor(id)});
    for (std::string extra : {std::string(1, '\0'), std::string(17, 'x'), randomBytes(kChunk + 16, 2)}) {
      Decrypted out = decrypt(file + extra, {id}, kRandom);
      EXPECT_EQ(kindName(out.error), "Corrupt") << size << " + " << extra.size();
    }
  }
}

TEST(AgeStream, AnythingButAnAgeFileFailsAtOnce) {
  AgeIdentity id = volumes::generateIdentity();
  AgeDecryptor dec([](std::string_view) {}, {id});
  try {
    dec.write("\x28\xb5\x2f\xfd");  // a zstd frame, say
    FAIL() << "not rejected on the first bytes";
  } catch (const AgeError& e) {
    EXPECT_EQ(e.kind(), Kind::BadHeader);
  }
  EXPECT_THROW(dec.write("more"), AgeError) << "a failed decryptor must keep failing";
  EXPECT_THROW(dec.finish(), AgeError);

  std::string huge = "age-encryption.org/v1\n-> X25519 " + std::string(70000, 'A');
  EXPECT_EQ(kindName(decrypt(huge, {id}).error), "BadHeader");
  EXPECT_EQ(kindName(decrypt("age-encryption.org/v2\n", {id}).error), "Unsupported");
}

TEST(AgeStream, WritingAfterFinishIsAnError) {
  AgeIdentity id = volumes::generateIdentity();
  std::string file;
  AgeEncryptor enc([&](std::string_view c) { file.append(c); }, {recipientFor(id)});
  enc.finish();
  EXPECT_THROW(enc.write("x"), std::logic_error);
  AgeDecryptor dec([](std::string_view) {}, {id});
  dec.write(file);
  dec.finish();
  dec.finish();
  EXPECT_THROW(dec.write("x"), std::logic_error);
}

// ---- C2SP/CCTV vectors ----

namespace {

struct Vector {
  std::multimap<std::string, std::string> fields;
  std::string file;  // the age file, decompressed
  std::string field(const std::string& key) const {
    auto it = fields.find(key);
    return it == fields.end() ? "" : it->second;
  }
};

fs::path vectorDir() {
  return fs::path(AGENTCHAT_TEST_DATA) / "age";
}

Vector loadVector(const std::string& name) {
  std::ifstream in(vectorDir() / name, std::ios::binary);
  std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  Vector v;
  std::size_t end = all.find("\n\n");
  std::string_view head = std::string_view(all).substr(0, end + 1);
  while (!head.empty()) {
    std::size_t nl = head.find('\n');
    std::string_view line = head.substr(0, nl);
    std::size_t colon = line.find(": ");
    v.fields.emplace(std::string(line.substr(0, colon)), std::string(line.substr(colon + 2)));
    head.remove_prefix(nl + 1);
  }
  v.file = all.substr(end + 2);
  if (v.field("compressed") == "zstd") {
    std::string raw;
    volumes::ZstdDecompressor z([&](std::string_view c) { raw.append(c); });
    z.write(v.file);
    z.finish();
    v.file = std::move(raw);
  }
  return v;
}

std::vector<std::string> vectorNames() {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(vectorDir())) {
    if (entry.path().extension().empty()) names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

// The vectors' outcome classes mapped onto AgeError kinds. Header failures are BadHeader except
// where a more telling kind applies: another version or too much scrypt work (Unsupported), and
// input that ends before the header or the payload nonce is complete (Truncated).
bool outcomeMatches(const std::string& expect, const std::string& name,
                    const std::optional<AgeError>& error) {
  std::string kind = kindName(error);
  if (expect == "success") return kind == "success";
  if (expect == "no match") return kind == "NoIdentityMatched";
  if (expect == "HMAC failure") return kind == "Corrupt";
  if (expect == "payload failure") return kind == "Corrupt" || kind == "Truncated";
  if (expect != "header failure") return false;
  static const std::map<std::string, std::string> special = {{"version_unsupported", "Unsupported"},
                                                             {"scrypt_work_factor_23", "Unsupported"},
                                                             {"scrypt_work_factor_overflow", "Unsupported"},
                                                             {"empty", "Truncated"},
                                                             {"stream_no_nonce", "Truncated"},
                                                             {"stream_short_nonce", "Truncated"}};
  auto it = special.find(name);
  return kind == (it == special.end() ? "BadHeader" : it->second);
}

class AgeVector : public ::testing::TestWithParam<std::string> {};

}  // namespace

TEST(AgeVectors, AreAllPresent) {
  EXPECT_GE(vectorNames().size(), 90u) << vectorDir();
}

TEST_P(AgeVector, DecryptsAsExpected) {
  Vector v = loadVector(GetParam());
  std::vector<AgeIdentity> ids;
  for (auto [it, end] = v.fields.equal_range("identity"); it != end; ++it) {
    ids.push_back(volumes::parseIdentity(it->second));
  }
  for (auto [it, end] = v.fields.equal_range("passphrase"); it != end; ++it) {
    ids.push_back(volumes::passphraseIdentity(it->second));
  }
  if (ids.empty()) ids.push_back(volumes::generateIdentity());  // a vector that fails before any key
  const std::string expect = v.field("expect");
  for (Split split : {kWhole, kRandom, kBytes}) {
    if (split == kBytes && v.file.size() > (1 << 20)) continue;
    Decrypted out = decrypt(v.file, ids, split);
    EXPECT_TRUE(outcomeMatches(expect, GetParam(), out.error))
        << "expected " << expect << ", got " << kindName(out.error) << (out.error ? ": " : "")
        << (out.error ? out.error->what() : "") << " (" << v.field("comment") << ")";
    // Whatever was released, even before a failure, is exactly what the vector says.
    if (expect == "success" || expect == "payload failure") {
      EXPECT_EQ(sha256Hex(out.plain), v.field("payload"));
    } else {
      EXPECT_TRUE(out.plain.empty());
    }
  }
}

INSTANTIATE_TEST_SUITE_P(AgeCctv, AgeVector, ::testing::ValuesIn(vectorNames()),
                         [](const ::testing::TestParamInfo<std::string>& info) { return info.param; });

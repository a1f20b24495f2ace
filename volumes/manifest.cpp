#include "volumes/manifest.hpp"

#include <set>

namespace volumes {

const PartRecord* Manifest::part(const std::string& name) const {
  // Details name parts as planned ("mysql.sql.zst"); stored, an encrypted one has ".age" added.
  for (const auto& p : parts) {
    if (p.name == name || p.contentName() == name) return &p;
  }
  return nullptr;
}

bool isPlainFileName(const std::string& name) {
  if (name.empty() || name.size() > 200 || name[0] == '.') return false;
  for (unsigned char c : name) {
    if (c == '/' || c == '\\' || c < 0x20 || c == 0x7f) return false;
  }
  return true;
}

nlohmann::json toJson(const Manifest& m) {
  nlohmann::json parts = nlohmann::json::array();
  for (const auto& p : m.parts) {
    parts.push_back({{"name", p.name},
                     {"kind", p.kind},
                     {"service", p.service},
                     {"source", p.source},
                     {"size", p.size},
                     {"rawSize", p.rawSize},
                     {"sha256", p.sha256}});
    if (p.encrypted()) parts.back()["plainSha256"] = p.plainSha256;
    if (p.chunked()) {
      parts.back()["storage"] = p.storage;
      parts.back()["newSize"] = p.newSize;
    }
  }
  nlohmann::json out = {{"formatVersion", Manifest::kFormatVersion},
                        {"id", m.id},
                        {"project", m.project},
                        {"createdAt", m.createdAt},
                        {"label", m.label},
                        {"consistency", m.consistency},
                        {"parts", parts},
                        {"details", m.details}};
  if (m.encryption.on()) {
    out["encryption"] = {{"format", "age-v1"},
                         {"recipients", m.encryption.recipients},
                         {"passphrase", m.encryption.passphrase}};
  }
  return out;
}

namespace {

std::string text(const nlohmann::json& object, const char* key, const std::string& where) {
  auto it = object.find(key);
  if (it == object.end() || !it->is_string())
    throw ManifestError("manifest: " + where + key + " must be a string");
  return it->get<std::string>();
}

std::uint64_t count(const nlohmann::json& object, const char* key, const std::string& where) {
  auto it = object.find(key);
  if (it == object.end() || !it->is_number_unsigned()) {
    throw ManifestError("manifest: " + where + key + " must be a non-negative integer");
  }
  return it->get<std::uint64_t>();
}

bool isSha256(const std::string& text) {
  bool hex = text.size() == 64;
  for (char c : text) hex = hex && ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
  return hex;
}

Encryption encryptionOf(const nlohmann::json& json) {
  Encryption e;
  auto it = json.find("encryption");
  if (it == json.end()) return e;
  if (!it->is_object() || text(*it, "format", "encryption.") != "age-v1")
    throw ManifestError("manifest: encryption must be {\"format\": \"age-v1\", ...}");
  auto recipients = it->find("recipients");
  if (recipients == it->end() || !recipients->is_array())
    throw ManifestError("manifest: encryption.recipients must be a list");
  for (const auto& r : *recipients) {
    if (!r.is_string() || r.get<std::string>().rfind("age1", 0) != 0)
      throw ManifestError("manifest: encryption.recipients must hold age1… public keys");
    e.recipients.push_back(r.get<std::string>());
  }
  auto passphrase = it->find("passphrase");
  if (passphrase == it->end() || !passphrase->is_boolean())
    throw ManifestError("manifest: encryption.passphrase must be true or false");
  e.passphrase = passphrase->get<bool>();
  if (!e.on()) throw ManifestError("manifest: encryption names no recipient");
  return e;
}

}  // namespace

Manifest parseManifest(std::string_view input) {
  // Deeper than any manifest nests, a document would overflow the stack when copied (details).
  constexpr int kMaxDepth = 64;
  auto shallow = [](int depth, nlohmann::json::parse_event_t, nlohmann::json&) {
    if (depth > kMaxDepth) throw ManifestError("manifest: nested deeper than " + std::to_string(kMaxDepth));
    return true;
  };
  nlohmann::json json = nlohmann::json::parse(input, shallow, false);
  if (json.is_discarded() || !json.is_object()) throw ManifestError("manifest: not a JSON object");
  auto version = json.find("formatVersion");
  if (version == json.end() || !version->is_number_integer() ||
      version->get<int>() != Manifest::kFormatVersion) {
    throw ManifestError("manifest: unsupported formatVersion (this plugin reads version " +
                        std::to_string(Manifest::kFormatVersion) + "; a newer plugin wrote it?)");
  }
  Manifest m;
  m.id = text(json, "id", "");
  m.project = text(json, "project", "");
  m.createdAt = text(json, "createdAt", "");
  m.label = text(json, "label", "");
  m.consistency = text(json, "consistency", "");
  if (json.contains("details") && json["details"].is_object()) m.details = json["details"];
  m.encryption = encryptionOf(json);
  auto parts = json.find("parts");
  if (parts == json.end() || !parts->is_array()) throw ManifestError("manifest: parts must be a list");
  std::set<std::string> names, contents;
  for (std::size_t i = 0; i < parts->size(); ++i) {
    const auto& p = (*parts)[i];
    std::string where = "parts[" + std::to_string(i) + "].";
    if (!p.is_object()) throw ManifestError("manifest: " + where + " must be an object");
    PartRecord record{text(p, "name", where),
                      text(p, "kind", where),
                      text(p, "service", where),
                      text(p, "source", where),
                      count(p, "size", where),
                      count(p, "rawSize", where),
                      text(p, "sha256", where),
                      {},
                      {},
                      0};
    if (!isPlainFileName(record.name)) {
      throw ManifestError("manifest: " + where + "name \"" + record.name + "\" is not a plain file name");
    }
    if (!names.insert(record.name).second)
      throw ManifestError("manifest: part \"" + record.name + "\" appears twice");
    if (!isSha256(record.sha256))
      throw ManifestError("manifest: " + where + "sha256 is not 64 lowercase hex digits");
    if (p.contains("plainSha256")) {
      record.plainSha256 = text(p, "plainSha256", where);
      if (!isSha256(record.plainSha256))
        throw ManifestError("manifest: " + where + "plainSha256 is not 64 lowercase hex digits");
      if (record.name.size() <= 4 || record.name.compare(record.name.size() - 4, 4, ".age") != 0)
        throw ManifestError("manifest: " + where + "name of an encrypted part must end in .age");
      if (!m.encryption.on()) throw ManifestError("manifest: " + where + "is encrypted, but to nobody");
    }
    if (p.contains("storage")) {
      record.storage = text(p, "storage", where);
      if (!record.chunked())
        throw ManifestError("manifest: " + where + "storage \"" + record.storage +
                            "\" is unknown to this version: upgrade docker-agentchat");
      if (record.encrypted())
        throw ManifestError("manifest: " + where + "an encrypted part is not kept as chunks");
      record.newSize = count(p, "newSize", where);
    }
    // "x.sql.zst" and "x.sql.zst.age" would both answer to part("x.sql.zst").
    if (!contents.insert(record.contentName()).second)
      throw ManifestError("manifest: part \"" + record.name + "\" holds the same content as another part");
    m.parts.push_back(std::move(record));
  }
  return m;
}

}  // namespace volumes

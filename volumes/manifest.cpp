#include "volumes/manifest.hpp"

#include <set>

namespace volumes {

const PartRecord* Manifest::part(const std::string& name) const {
  for (const auto& p : parts) {
    if (p.name == name) return &p;
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
  }
  return {{"formatVersion", Manifest::kFormatVersion},
          {"id", m.id},
          {"project", m.project},
          {"createdAt", m.createdAt},
          {"label", m.label},
          {"consistency", m.consistency},
          {"parts", parts},
          {"details", m.details}};
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

}  // namespace

Manifest parseManifest(std::string_view input) {
  nlohmann::json json = nlohmann::json::parse(input, nullptr, false);
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
  auto parts = json.find("parts");
  if (parts == json.end() || !parts->is_array()) throw ManifestError("manifest: parts must be a list");
  std::set<std::string> names;
  for (std::size_t i = 0; i < parts->size(); ++i) {
    const auto& p = (*parts)[i];
    std::string where = "parts[" + std::to_string(i) + "].";
    if (!p.is_object()) throw ManifestError("manifest: " + where + " must be an object");
    PartRecord record{text(p, "name", where),   text(p, "kind", where),  text(p, "service", where),
                      text(p, "source", where), count(p, "size", where), count(p, "rawSize", where),
                      text(p, "sha256", where)};
    if (!isPlainFileName(record.name)) {
      throw ManifestError("manifest: " + where + "name \"" + record.name + "\" is not a plain file name");
    }
    if (!names.insert(record.name).second)
      throw ManifestError("manifest: part \"" + record.name + "\" appears twice");
    bool hex = record.sha256.size() == 64;
    for (char c : record.sha256) hex = hex && ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
    if (!hex) throw ManifestError("manifest: " + where + "sha256 is not 64 lowercase hex digits");
    m.parts.push_back(std::move(record));
  }
  return m;
}

}  // namespace volumes

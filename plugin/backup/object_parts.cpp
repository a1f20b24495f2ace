#include "plugin/backup/object_parts.hpp"

#include <spdlog/spdlog.h>

#include <filesystem>

#include "base/elapsed.hpp"
#include "base/human_units.hpp"
#include "plugin/backup/previous_catalog.hpp"
#include "plugin/databases/database_login.hpp"
#include "plugin/databases/mysql_client.hpp"
#include "volumes/objects/bucket_copy.hpp"
#include "volumes/objects/object_references.hpp"

namespace agentchat {

namespace s3 = volumes::s3;
namespace objects = volumes::objects;
using nlohmann::json;

namespace {

// The rows that name the bucket's objects (referenced_by: db.table.column), read from the stack's
// MySQL/MariaDB service; false, with `error` saying why, when they cannot be read.
bool readReferences(PartWriter& run, const compose::ObjectSource& source, objects::ReferenceCheck& check,
                    std::string& error) {
  const std::string& spec = *source.referencedBy;
  auto first = spec.find('.'), second = spec.find('.', first + 1);
  std::string db = spec.substr(0, first), table = spec.substr(first + 1, second - first - 1),
              column = spec.substr(second + 1);
  const compose::StackService* mysql = nullptr;
  for (const auto& [name, service] : run.stack.services) {
    if (service.role == compose::Role::Mysql && !runningContainer(service).empty()) mysql = &service;
  }
  if (!mysql) {
    error = "no running MySQL/MariaDB service to read " + spec + " from";
    return false;
  }
  auto login = databaseLogin(run.engine, *mysql);
  if (!login) {
    error = "service " + mysql->name + ": no MySQL login found to read " + spec;
    return false;
  }
  try {
    MysqlClient client(run.engine, runningContainer(*mysql), mysql->name, *login);
    std::string col = quoteIdentifier(column);
    // A row at a time: the table may hold more rows than should sit in memory.
    client.query("SELECT id, " + col + " FROM " + quoteIdentifier(db) + "." + quoteIdentifier(table) +
                     " WHERE " + col + " IS NOT NULL AND " + col + " <> ''",
                 [&](MysqlClient::Row& row) {
                   if (row.size() == 2 && row[1]) check.row(row[0].value_or("NULL"), *row[1]);
                 });
    return true;
  } catch (const MysqlError& e) {
    error =
        "service " + mysql->name + ": reading " + spec + " (its id and " + column + ") failed: " + e.what();
    return false;
  }
}

json referencesJson(const objects::ReferenceReport& r, bool encrypted) {
  json out = {{"rows", r.rows},
              {"otherBuckets", r.otherBuckets},
              {"missing", r.missing},
              {"unreferenced", r.unreferenced}};
  if (encrypted) return out;  // keys are users' file names: not in a plaintext manifest
  json missing = json::array();
  for (const auto& [id, key] : r.firstMissing) missing.push_back({{"id", id}, {"key", key}});
  out["firstMissing"] = missing;
  out["firstUnreferenced"] = r.firstUnreferenced;
  return out;
}

class Discarded : public volumes::StoredWriter {
 public:
  void write(std::string_view bytes) override { size_ += bytes.size(); }
  std::string close() override { return ""; }
  std::uint64_t size() const override { return size_; }

 private:
  std::uint64_t size_ = 0;
};

}  // namespace

const compose::ObjectSource& objectSource(const compose::Stack& stack, const std::string& name) {
  for (const auto& source : stack.settings.objects) {
    if (source.name == name) return source;
  }
  throw BackupFailed("x-agentchat objects has no entry '" + name + "' (the compose files name " +
                     std::to_string(stack.settings.objects.size()) + ")");
}

s3::Config objectsConfig(const compose::ObjectSource& source, const std::string& projectDir,
                         const dockerapi::Environ& environ) {
  s3::Access access;
  access.endpoint = source.endpoint.value_or("");
  access.region = source.region.value_or("");
  access.profile = source.profile.value_or("");
  if (source.credentialsFile) {
    std::filesystem::path file(*source.credentialsFile);
    access.credentialsFile = (file.is_absolute() ? file : std::filesystem::path(projectDir) / file).string();
  }
  access.addressing = source.addressing == "path"      ? s3::Addressing::Path
                      : source.addressing == "virtual" ? s3::Addressing::Virtual
                      : source.addressing == "domain"  ? s3::Addressing::BucketDomain
                                                       : s3::Addressing::Auto;
  try {
    return s3::configForAccess(s3::parseLocation(source.url), access, environ);
  } catch (const s3::S3Error& e) {
    throw BackupFailed("x-agentchat objects." + source.name + ": " + e.what());
  }
}

std::string listingPrefix(const std::string& url) {
  auto location = s3::parseLocation(url);
  return location.prefix.empty() ? "" : location.prefix + "/";
}

void copyObjectsPart(PartWriter& run, const PlannedPart& planned, const volumes::Repository& repository) {
  const auto& source = objectSource(run.stack, planned.paths.at(0));
  s3::Client client(objectsConfig(source, run.stack.workingDir, run.environ()));
  auto bucket = objects::clientBucket(client);
  objects::BucketCopyOptions options;
  options.prefix = listingPrefix(source.url);
  auto started = std::chrono::steady_clock::now();
  std::optional<objects::ReferenceCheck> references;
  std::string referencesError;
  if (source.referencedBy) {
    auto location = s3::parseLocation(source.url);
    std::string domain;
    if (source.addressing == "domain" && source.endpoint) {
      std::string host = source.endpoint->substr(source.endpoint->find("://") + 3);
      domain = host.substr(0, host.find_first_of(":/"));
    }
    references.emplace(objects::BucketAddress{location.bucket, domain});
    if (!readReferences(run, source, *references, referencesError)) references.reset();
    if (references) options.listed = [&](const s3::ObjectInfo& info) { references->listed(info.key); };
  }

  std::optional<PreviousCatalog> previous;
  std::unique_ptr<objects::ObjectCatalogReader> before;
  if (run.deduplicating()) {
    previous = previousCatalog(repository, run.stack.name, planned.name, "objects");
    if (previous && !catalogIntact(repository, run.stack.name, *previous)) previous.reset();
    if (previous)
      before = std::make_unique<objects::ObjectCatalogReader>(
          run.openFile(repository, run.stack.name, previous->id, previous->file));
  }
  std::optional<objects::BucketCopy> copy;
  if (run.deduplicating()) {
    run.writeDeduplicatedPart(planned, [&](volumes::DeduplicatedPart& part, const auto& progressed) {
      part.cutByCaller();
      objects::PartOutput out{
          [&](std::string_view bytes) {
            part.write(bytes);
            progressed(bytes.size());
          },
          [&] { part.boundary(); },
          [&](const std::string& name, std::uint64_t size) { return part.reuse(name, size); },
          [&](const std::string& name) { return part.has(name); }};
      copy.emplace(*bucket, std::move(out), before.get(), run.addFile(planned.name + ".catalog"), options);
      part.onChunk([&](const volumes::chunks::ChunkRef& ref) { copy->chunk(ref); });
      copy->run();
    });
  } else {
    run.writePart(planned, [&](const base::ChunkSink& sink) {
      objects::PartOutput out{[&](std::string_view bytes) { sink(bytes); }, {}, {}, {}};
      // Without a store to seal it, an encrypted backup keeps no catalog: it would name the keys.
      auto catalog = run.encrypted() ? std::make_unique<Discarded>() : run.addFile(planned.name + ".catalog");
      copy.emplace(*bucket, std::move(out), nullptr, std::move(catalog), options);
      copy->run();
    });
  }
  std::string sha = copy->close();
  const auto& c = copy->counts();
  for (const auto& warning : c.warnings) spdlog::warn("objects {}: {}", source.name, warning);
  if (c.warningCount > c.warnings.size())
    spdlog::warn("objects {}: {} more like these", source.name, c.warningCount - c.warnings.size());
  json detail = {{"name", source.name},    {"url", source.url},
                 {"objects", c.objects},   {"bytes", c.bytes},
                 {"fetched", c.fetched},   {"fetchedBytes", c.fetchedBytes},
                 {"reused", c.reused},     {"reusedBytes", c.reusedBytes},
                 {"changed", c.changed},   {"vanished", c.vanished},
                 {"archived", c.archived}, {"listPages", c.listPages},
                 {"requests", c.requests}, {"warnings", c.warningCount},
                 {"sha256", sha},          {"seconds", base::secondsSince(started)}};
  if (previous) detail["previous"] = previous->id;
  if (!sha.empty()) detail["catalog"] = planned.name + ".catalog";
  // Keys are often users' file names: never in the manifest of an encrypted backup (it is plaintext).
  if (!run.encrypted()) detail["firstWarnings"] = c.warnings;
  if (references) {
    auto report = references->finish();
    detail["references"] = referencesJson(report, run.encrypted());
    for (const auto& [id, key] : report.firstMissing)
      spdlog::warn("objects {}: row id {} of {} names {}, which the bucket does not have", source.name, id,
                   *source.referencedBy, key);
    if (report.missing > report.firstMissing.size())
      spdlog::warn("objects {}: {} rows in all name objects the bucket does not have", source.name,
                   report.missing);
    if (report.unreferenced > 0)
      spdlog::warn("objects {}: {} objects no row of {} names (first: {})", source.name, report.unreferenced,
                   *source.referencedBy, report.firstUnreferenced.front());
  } else if (source.referencedBy) {
    detail["references"] = {{"error", referencesError}};
    spdlog::warn("objects {}: references not checked: {}", source.name, referencesError);
  }
  run.detail("objects", planned.name, detail);
  spdlog::info(
      "objects {}: {} objects ({}), {} fetched ({}), {} unchanged and not fetched; {} listing pages, "
      "{} GET/HEAD requests",
      source.name, c.objects, base::humanBytes(c.bytes), c.fetched, base::humanBytes(c.fetchedBytes),
      c.reused, c.listPages, c.requests);
}

}  // namespace agentchat

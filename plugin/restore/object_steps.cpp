// The objects step of a restore (issue #19): a bucket's part PUT back into the bucket the target
// stack's x-agentchat objects entry names.
#include <spdlog/spdlog.h>

#include "base/human_units.hpp"
#include "plugin/backup/object_parts.hpp"
#include "plugin/restore/restore_steps.hpp"
#include "volumes/objects/bucket_restore.hpp"

namespace agentchat {

namespace objects = volumes::objects;

namespace {

struct ObjectsRun {
  volumes::BackupRef backup;
  const volumes::Manifest& manifest;
  const compose::Stack& stack;
  const volumes::PartKeys* keys;
  const std::map<std::string, std::string>& environ;
};

objects::RestoreCounts putBack(const ObjectsRun& run, const RestoreItem& item,
                               objects::BucketRestoreOptions options, const base::ChunkSource& part) {
  const auto& source = objectSource(run.stack, item.path);
  volumes::s3::Client client(objectsConfig(source, run.stack.workingDir, run.environ));
  options.prefix = listingPrefix(source.url);
  // Each object's MD5 from the backup's catalog: an object a restore uploaded again is recognised.
  // (An encrypted backup's catalog is sealed to its store's key: those objects are compared by ETag.)
  std::unique_ptr<objects::ObjectCatalogReader> catalog;
  const auto details = run.manifest.details.value("objects", nlohmann::json::object());
  if (details.contains(item.part.contentName()) && !run.manifest.encryption.on()) {
    try {
      catalog = std::make_unique<objects::ObjectCatalogReader>(run.backup.repository->openPart(
          run.backup.project, run.backup.id, item.part.contentName() + ".catalog"));
    } catch (const std::exception& e) {
      spdlog::warn(
          "objects {}: the backup's catalog cannot be read ({}); objects re-uploaded since are "
          "uploaded again",
          source.name, e.what());
    }
  }
  return objects::restoreBucket(client, part, catalog.get(), options);
}

}  // namespace

void previewObjects(const volumes::BackupRef& backup, const volumes::Manifest& manifest,
                    const compose::Stack& stack, const RestoreItem& item, const volumes::PartKeys* keys,
                    const std::map<std::string, std::string>& environ, std::ostream& out) {
  objects::BucketRestoreOptions options;
  options.dryRun = true;
  volumes::PartReader reader(backup.open(item.part), item.part, keys);
  auto counts = putBack({backup, manifest, stack, keys, environ}, item, options, reader.source());
  out << "objects " << item.path << ": " << counts.put << " of " << counts.objects << " objects ("
      << base::humanBytes(counts.putBytes) << ") would be put back, " << counts.kept << " are there already; "
      << counts.others << " objects not in the backup are left alone\n";
}

void restoreObjects(RestoreContext& ctx, const RestoreItem& item) {
  const auto& source = objectSource(ctx.stack, item.path);
  static const std::map<std::string, std::string> kNoEnvironment;
  objects::BucketRestoreOptions options;
  auto* created = ctx.createdObjects ? &(*ctx.createdObjects)[source.name] : nullptr;
  if (ctx.rollback && created) options.deleteUnlessInBackup = created;
  if (!ctx.rollback && created) options.created = [created](const std::string& key) { created->add(key); };
  volumes::PartReader reader(ctx.backup.open(item.part), item.part, ctx.keys);
  auto& shown = ctx.progress.add(item.part.name);
  auto counts =
      putBack({ctx.backup, ctx.manifest, ctx.stack, ctx.keys, ctx.environ ? *ctx.environ : kNoEnvironment},
              item, options, countedPart(reader, shown));
  ctx.progress.finished(shown, item.part.size);
  spdlog::info(
      "objects {}: {} objects ({}) in the backup: {} put back ({}), {} already there; {} not in the "
      "backup {}",
      source.name, counts.objects, base::humanBytes(counts.bytes), counts.put,
      base::humanBytes(counts.putBytes), counts.kept, counts.others + counts.deleted,
      counts.deleted ? "removed (they were created by the restore rolled back)" : "left alone");
}

}  // namespace agentchat

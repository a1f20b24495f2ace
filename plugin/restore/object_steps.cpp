// The objects step of a restore (issue #19): a bucket's part PUT back into the bucket the target
// stack's x-agentchat objects entry names.
#include <spdlog/spdlog.h>

#include "base/human_units.hpp"
#include "plugin/backup/object_parts.hpp"
#include "plugin/restore/restore_steps.hpp"
#include "volumes/objects/bucket_restore.hpp"

namespace agentchat {

namespace objects = volumes::objects;

void restoreObjects(RestoreContext& ctx, const RestoreItem& item) {
  const auto& source = objectSource(ctx.stack, item.path);
  static const std::map<std::string, std::string> kNoEnvironment;
  volumes::s3::Client client(
      objectsConfig(source, ctx.stack.workingDir, ctx.environ ? *ctx.environ : kNoEnvironment));
  objects::BucketRestoreOptions options;
  options.prefix = listingPrefix(source.url);
  auto* created = ctx.createdObjects ? &(*ctx.createdObjects)[source.name] : nullptr;
  if (ctx.rollback && created) options.deleteUnlessInBackup = *created;
  if (!ctx.rollback && created) options.created = [created](const std::string& key) { created->insert(key); };
  // Each object's MD5 from the backup's catalog: an object a restore uploaded again is recognised.
  // (An encrypted backup's catalog is sealed to its store's key: those objects are compared by ETag.)
  std::unique_ptr<objects::ObjectCatalogReader> catalog;
  const auto details = ctx.manifest.details.value("objects", nlohmann::json::object());
  if (details.contains(item.part.contentName()) && !ctx.manifest.encryption.on()) {
    try {
      catalog = std::make_unique<objects::ObjectCatalogReader>(ctx.backup.repository->openPart(
          ctx.backup.project, ctx.backup.id, item.part.contentName() + ".catalog"));
    } catch (const std::exception& e) {
      spdlog::warn(
          "objects {}: the backup's catalog cannot be read ({}); objects re-uploaded since are "
          "uploaded again",
          source.name, e.what());
    }
  }
  volumes::PartReader reader(ctx.backup.open(item.part), item.part, ctx.keys);
  auto& shown = ctx.progress.add(item.part.name);
  auto counts = objects::restoreBucket(client, countedPart(reader, shown), catalog.get(), options);
  ctx.progress.finished(shown, item.part.size);
  spdlog::info(
      "objects {}: {} objects ({}) in the backup: {} put back ({}), {} already there; {} not in the "
      "backup {}",
      source.name, counts.objects, base::humanBytes(counts.bytes), counts.put,
      base::humanBytes(counts.putBytes), counts.kept, counts.others + counts.deleted,
      counts.deleted ? "removed (they were created by the restore rolled back)" : "left alone");
}

}  // namespace agentchat

#pragma once
// How a backup is taken (compression, encryption, label), and how it fails before anything is kept.
#include <map>
#include <string>
#include <vector>

#include "base/error.hpp"
#include "compose/settings.hpp"
#include "volumes/age_keys.hpp"
#include "volumes/manifest.hpp"

namespace agentchat {

class HookRunner;

// Something the backup needs is not there or not usable; the message says what to do.
class BackupFailed : public base::Error {
 public:
  using base::Error::Error;
};

struct BackupSettings {
  int compressionLevel = 3;
  int threadsPerPart = 2;  // zstd workers per part
  std::string label;
  bool terminal = false;  // draw progress
  std::string toolVersion;
  // Every part is encrypted to these (age v1) when there are any; the manifest records `encryption`.
  std::vector<volumes::AgeRecipient> recipients;
  volumes::Encryption encryption;
  // The stack's pre_backup/post_backup hooks; none for a restore's safety snapshot.
  HookRunner* hooks = nullptr;
  // Compare with the previous backups (sanity.hpp); none for a safety snapshot.
  const compose::Sanity* sanity = nullptr;
  // The process environment: the keys of the stack's buckets (x-agentchat objects) come from it.
  std::map<std::string, std::string> environ;
};

}  // namespace agentchat

#pragma once
// Our own settings, under `x-agentchat:` at the top level and in each service. Compose ignores x-*
// keys, so they live in the same files the user already keeps under version control.
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace compose {

struct Retention {
  std::optional<int> keepLast, keepDaily, keepWeekly, keepMonthly;
};

// A command run by exec in the service's container around a backup or restore (x-agentchat hooks,
// or agentchat.hooks.* labels). A failing pre-hook with on_error fail stops the run before anything
// is held; `warn` logs it and goes on.
struct Hook {
  std::vector<std::string> command;
  int timeoutSeconds = 60;
  bool failRun = true;              // on_error: fail (default) | warn
  std::optional<std::string> user;  // default: the container's user
};

struct Hooks {
  std::vector<Hook> preBackup, postBackup, preRestore, postRestore;
  bool empty() const {
    return preBackup.empty() && postBackup.empty() && preRestore.empty() && postRestore.empty();
  }
};

struct ServiceSettings {
  std::optional<std::string> role;  // mysql | redis | postgres | app | none
  std::vector<std::string> databases;
  std::vector<std::string> logs;  // absolute paths inside the container
  std::vector<std::string> excludes;
  bool skip = false;
  Hooks hooks;
};

// Unattended runs: pings in the healthchecks.io style (URL/start, URL, URL/fail), a metrics file
// for node_exporter's textfile collector, and how far a backup may stray from the previous ones.
struct Sanity {
  double smallerThan = 0.5;  // warn below this fraction of the median of the previous backups
  double largerThan = 2.0;   // and above this multiple
};

// A bucket or prefix of an S3-compatible object store that belongs to the stack (issue #19): the
// knowledge files AgentChat keeps in OSS. Its keys come as for an S3 repository (environment, or the
// named profile / credentials file), never from the compose file.
struct ObjectSource {
  std::string name;  // the entry's key: part "objects-NAME", restore --only objects:NAME
  std::string url;   // s3://BUCKET/PREFIX
  std::optional<std::string> endpoint, region, profile, credentialsFile;
  std::string addressing =
      "auto";  // auto | path | virtual | domain (the endpoint is the bucket's own domain)
  // "db.table.column" holding the objects' URLs (s3://, oss://, https://BUCKET.ENDPOINT/KEY, a
  // custom domain): backup reports rows whose object is missing and objects no row names.
  std::optional<std::string> referencedBy;
};

struct Settings {
  std::optional<std::string> repository;
  Retention retention;
  std::optional<std::string> schedule;     // HH:MM
  std::optional<int> compressionLevel;     // 1..19
  std::optional<std::string> consistency;  // online | stop
  std::vector<std::string> excludes;
  // Encryption (age): public keys `age1…` every part is encrypted to, and/or a file holding a
  // passphrase (relative to the project directory). Only the path is kept, never the passphrase.
  std::vector<std::string> encryptTo;
  std::optional<std::string> passphraseFile;
  // Shorthands: roles: {service: role}, logs: {service: [paths]}; folded into the services.
  std::map<std::string, std::string> roles;
  std::map<std::string, std::vector<std::string>> logs;
  std::optional<std::string> notifyUrl;  // MAY HOLD A TOKEN: never printed
  std::optional<std::string> metricsFile;
  Sanity sanity;
  std::vector<ObjectSource> objects;  // in name order
};

}  // namespace compose

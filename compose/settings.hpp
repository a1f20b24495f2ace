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

struct ServiceSettings {
  std::optional<std::string> role;  // mysql | redis | postgres | app | none
  std::vector<std::string> databases;
  std::vector<std::string> logs;  // absolute paths inside the container
  std::vector<std::string> excludes;
  bool skip = false;
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
};

}  // namespace compose

#pragma once
// The stack's buckets (x-agentchat objects, issue #19) as parts: each entry's objects, listed right
// after the databases' snapshot and read with If-Match; in a deduplicated store an object the last
// backup holds unchanged is not fetched again.
#include <string>

#include "compose/settings.hpp"
#include "compose/stack.hpp"
#include "dockerapi/context.hpp"
#include "plugin/backup/backup_run.hpp"
#include "volumes/s3/config.hpp"

namespace agentchat {

// The entry of that name; BackupFailed when the stack has none.
const compose::ObjectSource& objectSource(const compose::Stack& stack, const std::string& name);
// How to reach it: its own endpoint, region, addressing and keys (a profile or credentials file,
// relative to the project directory), else as for an S3 repository from the environment.
volumes::s3::Config objectsConfig(const compose::ObjectSource& source, const std::string& projectDir,
                                  const dockerapi::Environ& environ);
// "" or the location's prefix with its '/': what the part's keys are relative to.
std::string listingPrefix(const std::string& url);

void copyObjectsPart(PartWriter& run, const PlannedPart& planned, const volumes::Repository& repository);

}  // namespace agentchat

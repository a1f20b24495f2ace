#pragma once
// The labels a stack's volume is created with where it does not exist yet (a restore onto a new
// host, a migration's target). Pure: the caller creates the volume.
#include <map>
#include <string>

namespace agentchat {

// `known`: the volume's labels as the compose file or an engine has them. Returns the user's own
// labels plus the two compose matches a volume by (project, volume key); every label compose
// computes itself (com.docker.compose.*: config-hash, version, ...) is left out, never copied.
std::map<std::string, std::string> newVolumeLabels(const std::map<std::string, std::string>& known,
                                                   const std::string& projectName,
                                                   const std::string& volumeKey);

}  // namespace agentchat

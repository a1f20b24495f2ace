#pragma once
#include "plugin/cli/command.hpp"

namespace agentchat {

// `export [ID|latest] -o FILE|-`: one backup as a single tar file.
RegisteredCommand addExportCommand(CLI::App& app);
// `import FILE|-`: a bundle into the repository, every part checked against its manifest.
RegisteredCommand addImportCommand(CLI::App& app);

}  // namespace agentchat

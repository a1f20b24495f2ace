#pragma once
// The exit codes live in base (every error class carries one); plugin code names them as before.
#include "base/exit_codes.hpp"

namespace agentchat {
namespace exit_code = base::exit_code;
}  // namespace agentchat

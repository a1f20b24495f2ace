#pragma once
// What must never leave in a log excerpt or hook output: the values of the stack's secret-looking
// variables (…PASSWORD, …SECRET, …TOKEN, …KEY), its file: secrets' contents, and the notify URL
// (a healthchecks.io URL is itself the credential).
#include "base/secret_mask.hpp"
#include "compose/stack.hpp"

namespace agentchat {

base::SecretMask stackSecrets(const compose::Stack& stack);

}  // namespace agentchat

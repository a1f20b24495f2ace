#pragma once
// Compose's variable interpolation: $VAR, ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?err},
// ${VAR?err}, ${VAR:+alt}, ${VAR+alt}, and $$ for a literal $. Defaults may themselves interpolate.
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace compose {

using Lookup = std::function<std::optional<std::string>(const std::string& name)>;

// Throws std::invalid_argument with a message for unterminated or invalid references and for
// ${VAR:?msg} / ${VAR?msg} whose variable is missing (the message is the user's msg).
std::string interpolate(std::string_view text, const Lookup& lookup);

}  // namespace compose

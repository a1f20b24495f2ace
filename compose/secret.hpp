#pragma once
// A password or key. It has no stream or fmt output on purpose: printing one must be a
// deliberate `reveal()`, which is easy to grep for.
#include <string>
#include <utility>

namespace compose {

class Secret {
 public:
  Secret() = default;
  explicit Secret(std::string value) : value_(std::move(value)) {}
  const std::string& reveal() const { return value_; }
  bool empty() const { return value_.empty(); }
  bool operator==(const Secret&) const = default;

 private:
  std::string value_;
};

}  // namespace compose

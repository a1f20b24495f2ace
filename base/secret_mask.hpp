#pragma once
// Replaces known secret values with "***" in text that leaves the process's control: hook output
// in the log, the log excerpt a failure ping carries. Short values are not masked (a password of
// "1" would turn every digit into stars and hide nothing).
#include <string>
#include <vector>

namespace base {

class SecretMask {
 public:
  static constexpr std::size_t kShortest = 4;

  void add(const std::string& secret);
  std::string apply(std::string text) const;
  bool empty() const { return secrets_.empty(); }

 private:
  std::vector<std::string> secrets_;  // longest first, so a secret containing another is masked whole
};

}  // namespace base

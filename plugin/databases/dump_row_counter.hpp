#pragma once
// Counts the rows a mysqldump stream holds, per table, as it passes: the rows actually in the
// backup (not a COUNT(*) taken at another moment), which is what a restore drill must find again.
// Reads the `USE db;` and `INSERT INTO t [(cols)] VALUES (...),(...);` statements; quotes and
// backslash escapes inside values are honoured, so data cannot fake a row.
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

namespace agentchat {

class DumpRowCounter {
 public:
  void feed(std::string_view sql);
  // "db.table" -> rows
  const std::map<std::string, std::uint64_t>& rows() const { return rows_; }

 private:
  void lineStart();
  enum class State { LineStart, SkipLine, BeforeValues, Values };
  State state_ = State::LineStart;
  std::string line_;  // the start of the current line, while it may still be a statement we read
  std::string database_;
  std::string table_;
  std::uint64_t* counter_ = nullptr;
  std::string keyword_;  // last bytes seen while looking for VALUES
  int depth_ = 0;
  bool inString_ = false;
  bool escaped_ = false;
  std::map<std::string, std::uint64_t> rows_;
};

// `name` -> name; `a``b` -> a`b. Returns false when `text` does not start with a quoted name, or
// ends right after a backtick (it may be doubled: more text is needed to tell).
bool readQuotedName(std::string_view text, std::string& name, std::size_t& used);

}  // namespace agentchat

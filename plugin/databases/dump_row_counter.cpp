#include "plugin/databases/dump_row_counter.hpp"

#include <cstring>

namespace agentchat {

bool readQuotedName(std::string_view text, std::string& name, std::size_t& used) {
  if (text.empty() || text[0] != '`') return false;
  name.clear();
  for (std::size_t i = 1; i < text.size(); ++i) {
    if (text[i] != '`') {
      name.push_back(text[i]);
      continue;
    }
    if (i + 1 == text.size()) return false;  // a closing backtick, or the first of a doubled one
    if (text[i + 1] == '`') {
      name.push_back('`');
      ++i;
      continue;
    }
    used = i + 1;
    return true;
  }
  return false;
}

namespace {
constexpr std::string_view kUse = "USE ";
constexpr std::string_view kInsert = "INSERT INTO ";
constexpr std::size_t kMaxLine = 4096;  // a USE or INSERT head longer than this is not one we read
}  // namespace

// Called whenever line_ grows while at a line start: decides what the line is once it can.
void DumpRowCounter::lineStart() {
  std::string_view line(line_);
  for (auto prefix : {kUse, kInsert}) {
    if (line.size() < prefix.size()) {
      if (prefix.substr(0, line.size()) == line) return;  // still could be
      continue;
    }
    if (line.substr(0, prefix.size()) != prefix) continue;
    std::string name;
    std::size_t used = 0;
    if (!readQuotedName(line.substr(prefix.size()), name, used)) {
      if (line.size() > kMaxLine) state_ = State::SkipLine;
      return;  // wait for the closing backtick
    }
    if (prefix == kUse) {
      database_ = name;
      state_ = State::SkipLine;
    } else {
      table_ = name;
      counter_ = &rows_[database_ + "." + table_];
      keyword_.clear();
      state_ = State::BeforeValues;
      // Whatever followed the name on this line is seen again by the BeforeValues state.
      std::string rest(line.substr(prefix.size() + used));
      line_.clear();
      feed(rest);
    }
    return;
  }
  state_ = State::SkipLine;
}

void DumpRowCounter::feed(std::string_view sql) {
  for (std::size_t i = 0; i < sql.size(); ++i) {
    char c = sql[i];
    switch (state_) {
      case State::LineStart:
        if (c == '\n') {
          line_.clear();
          break;
        }
        line_.push_back(c);
        lineStart();
        if (state_ != State::LineStart) line_.clear();
        break;
      case State::SkipLine:
        if (c == '\n') state_ = State::LineStart;
        break;
      case State::BeforeValues:
        keyword_.push_back(c);
        if (keyword_.size() > 6) keyword_.erase(0, keyword_.size() - 6);
        if (keyword_ == "VALUES") {
          state_ = State::Values;
          depth_ = 0;
          inString_ = escaped_ = false;
        }
        break;
      case State::Values:
        if (inString_) {
          if (escaped_) {
            escaped_ = false;
            break;
          }
          // Most of a dump is string contents: jump to the next quote or backslash (memchr is
          // vectorised), instead of looking at every byte.
          const char* here = sql.data() + i;
          std::size_t left = sql.size() - i;
          const void* quote = std::memchr(here, '\'', left);
          std::size_t span = quote ? static_cast<std::size_t>(static_cast<const char*>(quote) - here) : left;
          const void* backslash = std::memchr(here, '\\', span);
          if (backslash != nullptr) {
            i += static_cast<std::size_t>(static_cast<const char*>(backslash) - here);
            escaped_ = true;
          } else if (quote != nullptr) {
            i += span;
            inString_ = false;  // '' inside a string reads as close+open: same effect
          } else {
            i = sql.size() - 1;  // the string goes on in the next chunk
          }
        } else if (c == '\'') {
          inString_ = true;
        } else if (c == '(') {
          if (depth_++ == 0) ++*counter_;
        } else if (c == ')') {
          --depth_;
        } else if (c == ';' && depth_ == 0) {
          state_ = State::SkipLine;
        }
        break;
    }
  }
}

}  // namespace agentchat

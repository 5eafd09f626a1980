#include "core/error.hpp"

#include <utility>

namespace sandan {
namespace {
std::string join_problems(const std::string& headline, const std::vector<std::string>& problems) {
  std::string text = headline;
  for (const auto& problem : problems) {
    text += "\n  ";
    text += problem;
  }
  return text;
}
}  // namespace

ConfigError::ConfigError(std::string headline, std::vector<std::string> problems)
    : Error(ErrorCode::kBadInput, join_problems(headline, problems)),
      headline_(std::move(headline)),
      problems_(std::move(problems)) {}

}  // namespace sandan

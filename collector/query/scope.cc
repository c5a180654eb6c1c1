#include "collector/query/scope.h"

#include "collector/common/strings.h"

namespace llmtap::collector {

absl::Status ScopeFilter(const Principal& who, v1::Filter* filter, std::string_view field) {
  if (who.all_apps()) return absl::OkStatus();
  auto denied = [&](std::string_view name) {
    return absl::PermissionDeniedError(Cat(field, ".", name, ": outside this key's apps"));
  };
  if (!filter->app().empty() && !who.CanAccessApp(filter->app())) return denied("app");
  for (const std::string& app : filter->apps()) {
    if (!who.CanAccessApp(app)) return denied("apps");
  }
  if (filter->apps().empty()) {
    for (const std::string& app : who.apps()) filter->add_apps(app);
  }
  return absl::OkStatus();
}

}  // namespace llmtap::collector

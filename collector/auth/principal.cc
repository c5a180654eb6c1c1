#include "collector/auth/principal.h"

#include <algorithm>

namespace llmtap::collector {

Principal Principal::Anonymous() { return Principal(); }

Principal Principal::Internal(std::string name) {
  Principal p;
  p.key_id_ = "internal:" + std::move(name);
  p.role_ = v1::ROLE_INGEST;
  p.internal_ = true;
  return p;
}

Principal Principal::ForKey(std::string key_id, v1::Role role, std::vector<std::string> apps) {
  Principal p;
  p.key_id_ = std::move(key_id);
  p.role_ = role;
  std::sort(apps.begin(), apps.end());
  apps.erase(std::unique(apps.begin(), apps.end()), apps.end());
  p.apps_ = std::move(apps);
  return p;
}

bool Principal::Allows(v1::Role needed) const {
  return role_ == v1::ROLE_ADMIN || role_ == needed;
}

bool Principal::CanAccessApp(std::string_view app) const {
  return all_apps() || std::binary_search(apps_.begin(), apps_.end(), app);
}

bool Principal::CoversApps(const std::vector<std::string>& apps) const {
  if (all_apps()) return true;
  if (apps.empty()) return false;
  return std::all_of(apps.begin(), apps.end(),
                     [this](const std::string& a) { return CanAccessApp(a); });
}

std::string Principal::Describe() const {
  if (key_id_.empty()) return "anonymous";
  return "key " + key_id_ + " (" + v1::Role_Name(role_) + ")";
}

}  // namespace llmtap::collector

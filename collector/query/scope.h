// A caller's key scope as part of the query filter: the one place that turns a Principal's
// apps into filter conditions (Filter.apps), which every read path then applies through
// AppsToRead / AppMatches (filter.h).
#ifndef LLMTAP_COLLECTOR_QUERY_SCOPE_H_
#define LLMTAP_COLLECTOR_QUERY_SCOPE_H_

#include <string_view>

#include "absl/status/status.h"
#include "collector/auth/principal.h"
#include "llmtap/v1/query.pb.h"

namespace llmtap::collector {

// Narrows `filter` to `who`'s apps. PERMISSION_DENIED (naming `field`) when the filter names an
// app outside them, whether or not that app exists.
absl::Status ScopeFilter(const Principal& who, v1::Filter* filter, std::string_view field);

}  // namespace llmtap::collector

#endif  // LLMTAP_COLLECTOR_QUERY_SCOPE_H_

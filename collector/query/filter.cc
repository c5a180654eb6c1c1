#include "collector/query/filter.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "collector/common/strings.h"

namespace llmtap::collector {
namespace {

absl::Status Bad(std::string_view field, std::string_view why) {
  return absl::InvalidArgumentError(Cat(field, ": ", why));
}

bool ValidName(std::string_view name) {
  return name.size() <= v1::LIMIT_NAME_BYTES && name.find('\0') == std::string_view::npos;
}

}  // namespace

absl::Status ValidateFilter(const v1::Filter& f, std::string_view field) {
  auto at = [&](std::string_view name) { return Cat(field, ".", name); };
  if (f.start_unix_nano() < 0) return Bad(at("start_unix_nano"), "must be >= 0");
  if (f.end_unix_nano() < 0) return Bad(at("end_unix_nano"), "must be >= 0");
  if (f.end_unix_nano() > 0 && f.end_unix_nano() <= f.start_unix_nano()) {
    return Bad(at("end_unix_nano"), "must be after start_unix_nano");
  }
  const std::pair<std::string_view, const std::string*> names[] = {
      {"app", &f.app()},
      {"model", &f.model()},
      {"variant", &f.variant()},
      {"session_id", &f.session_id()},
      {"prompt_version", &f.prompt_version()},
      {"rubric", &f.rubric()}};
  for (const auto& [name, value] : names) {
    if (!ValidName(*value)) {
      return Bad(at(name), Cat("at most ", v1::LIMIT_NAME_BYTES, " bytes, no NUL"));
    }
  }
  if (f.apps_size() > v1::LIMIT_METADATA_ENTRIES) {
    return Bad(at("apps"), Cat("at most ", v1::LIMIT_METADATA_ENTRIES, " apps"));
  }
  for (const std::string& app : f.apps()) {
    if (app.empty() || !ValidName(app)) {
      return Bad(at("apps"), Cat("1 to ", v1::LIMIT_NAME_BYTES, " bytes, no NUL"));
    }
  }
  if (f.metadata_size() > v1::LIMIT_METADATA_ENTRIES) {
    return Bad(at("metadata"), Cat("at most ", v1::LIMIT_METADATA_ENTRIES, " entries"));
  }
  for (const auto& [key, value] : f.metadata()) {
    if (key.empty()) return Bad(at("metadata"), "empty key");
    if (key.size() + value.size() > v1::LIMIT_METADATA_BYTES) {
      return Bad(at("metadata"), Cat("entry \"", key, "\" longer than ",
                                     v1::LIMIT_METADATA_BYTES, " bytes"));
    }
  }
  if ((f.has_score_below() || f.has_score_above()) && f.rubric().empty()) {
    return Bad(at("rubric"), "required with score_below or score_above");
  }
  if (f.has_score_below() && !std::isfinite(f.score_below())) {
    return Bad(at("score_below"), "must be finite");
  }
  if (f.has_score_above() && !std::isfinite(f.score_above())) {
    return Bad(at("score_above"), "must be finite");
  }
  if (f.has_score_below() && f.has_score_above() && f.score_below() <= f.score_above()) {
    return Bad(at("score_below"), "must be greater than score_above");
  }
  return absl::OkStatus();
}

bool SampleMatches(const v1::Filter& f, const v1::Sample& s) {
  if (!f.model().empty() && s.model() != f.model()) return false;
  if (!f.variant().empty() && s.variant() != f.variant()) return false;
  if (!f.session_id().empty() && s.session_id() != f.session_id()) return false;
  if (!f.prompt_version().empty() && s.prompt_version() != f.prompt_version()) return false;
  for (const auto& [k, v] : f.metadata()) {
    auto it = s.metadata().find(k);
    if (it == s.metadata().end() || it->second != v) return false;
  }
  return true;
}

namespace {

bool ScoreMatches(const v1::Filter& f, const v1::Score& score) {
  if (score.rubric() != f.rubric() || score.state() != v1::SCORE_STATE_SCORED) return false;
  if (f.has_score_below() && !(score.value() < f.score_below())) return false;
  if (f.has_score_above() && !(score.value() > f.score_above())) return false;
  return true;
}

}  // namespace

bool ScoresMatch(const v1::Filter& f, const std::vector<v1::Score>& scores) {
  if (f.rubric().empty()) return true;
  for (const v1::Score& s : scores) {
    if (s.rubric() == f.rubric()) return ScoreMatches(f, s);
  }
  return false;
}

bool TailMatches(const v1::Filter& f, const v1::TailResponse& event) {
  if (!AppMatches(f, event.sample().app())) return false;
  if (!SampleMatches(f, event.sample())) return false;
  return f.rubric().empty() || ScoreMatches(f, event.score());
}

bool AppMatches(const v1::Filter& filter, std::string_view app) {
  if (!filter.app().empty() && app != filter.app()) return false;
  return filter.apps().empty() ||
         std::find(filter.apps().begin(), filter.apps().end(), app) != filter.apps().end();
}

std::vector<std::string> AppsToRead(const Store& store, const v1::Filter& filter) {
  if (!filter.app().empty()) {
    if (!AppMatches(filter, filter.app())) return {};
    return {filter.app()};
  }
  if (!filter.apps().empty()) {
    std::vector<std::string> apps(filter.apps().begin(), filter.apps().end());
    std::sort(apps.begin(), apps.end());
    apps.erase(std::unique(apps.begin(), apps.end()), apps.end());
    return apps;
  }
  return store.ListApps();
}

absl::Status ScanFiltered(
    const Store& store, const v1::Filter& filter, bool with_scores,
    const std::function<void(const v1::Sample&, const std::vector<v1::Score>&)>& visit) {
  const bool need_scores = with_scores || !filter.rubric().empty();
  const std::vector<std::string> apps = AppsToRead(store, filter);
  uint64_t examined = 0;
  std::vector<v1::Score> scores;
  absl::Status error;
  for (const std::string& app : apps) {
    absl::Status s = store.ScanSamples(
        app, filter.start_unix_nano(), filter.end_unix_nano(), "",
        [&](std::string_view, v1::Sample&& sample) {
          if (++examined > kMaxScanSamples) return false;
          if (!SampleMatches(filter, sample)) return true;
          scores.clear();
          if (need_scores) {
            auto got = store.GetScores(sample.id());
            if (!got.ok()) {
              error = got.status();
              return false;
            }
            scores = std::move(*got);
          }
          if (ScoresMatch(filter, scores)) visit(sample, scores);
          return true;
        });
    if (!s.ok()) return s;
    if (!error.ok()) return error;
    if (examined > kMaxScanSamples) {
      return absl::ResourceExhaustedError(
          Cat("filter: session_id, prompt_version, metadata and score filters scan raw samples, "
              "at most ",
              kMaxScanSamples,
              " per request; narrow filter.start_unix_nano..end_unix_nano or set filter.app"));
    }
  }
  return absl::OkStatus();
}

}  // namespace llmtap::collector

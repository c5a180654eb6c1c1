#include "collector/alerting/alert_evaluator.h"

#include <spdlog/spdlog.h>

#include <optional>
#include <set>

#include "absl/strings/str_format.h"
#include "collector/alerting/alert_rule.h"
#include "collector/alerting/rule_check.h"
#include "collector/common/strings.h"
#include "collector/store/keys.h"

namespace llmtap::collector {
namespace {

constexpr int64_t kMinute = 60;

int64_t Minutes(uint32_t seconds) { return (seconds + kMinute - 1) / kMinute; }

// The group of a row: the app alone for the default group_by, else "dim=value" pairs.
std::string GroupKey(const v1::AlertRule& rule, std::string_view app, std::string_view model,
                     std::string_view variant) {
  auto value = [&](const std::string& dim) {
    return dim == "app" ? app : dim == "model" ? model : variant;
  };
  if (rule.group_by_size() == 1 && rule.group_by(0) == "app") return std::string(app);
  std::string key;
  for (const std::string& dim : rule.group_by()) {
    if (!key.empty()) key += ',';
    key += Cat(dim, "=", value(dim));
  }
  return key;
}

// The one group a rule can have when its scope fixes every group_by dimension, else nullopt.
std::optional<std::string> FixedGroup(const v1::AlertRule& rule) {
  for (const std::string& dim : rule.group_by()) {
    if ((dim == "app" && rule.app().empty()) || (dim == "model" && rule.model().empty()) ||
        (dim == "variant" && rule.variant().empty())) {
      return std::nullopt;
    }
  }
  return GroupKey(rule, rule.app(), rule.model(), rule.variant());
}

// One rule's pass: its bucket ranges and the merged rollups per group.
struct RulePass {
  const v1::AlertRule* rule;
  std::string series;
  int64_t window_start_s;
  int64_t baseline_start_s;
  std::map<std::string, std::pair<Rollup, Rollup>> groups;  // group -> (window, baseline)
};

std::string Num(double v) { return absl::StrFormat("%.4g", v); }

std::string_view CommonPrefix(std::string_view a, std::string_view b) {
  size_t n = 0;
  while (n < a.size() && n < b.size() && a[n] == b[n]) ++n;
  return a.substr(0, n);
}

}  // namespace

AlertEvaluator::AlertEvaluator(const Store* store, const AlertRuleStore* rules, AlertLog* log,
                               WebhookNotifier* notifier, Metrics* metrics,
                               absl::Duration interval)
    : store_(store), rules_(rules), log_(log), notifier_(notifier), interval_(interval) {
  static Counter unused[4];
  evaluations_ = &unused[0];
  events_ = &unused[1];
  suppressed_ = &unused[2];
  errors_ = &unused[3];
  if (metrics != nullptr) {
    evaluations_ = metrics->AddCounter("llmtap_alert_evaluations_total",
                                       "Alert evaluation passes over all rules.");
    events_ = metrics->AddCounter("llmtap_alert_events_total",
                                  "Alert events (fired, changed, resolved) emitted.");
    suppressed_ = metrics->AddCounter("llmtap_alert_cooldown_suppressed_total",
                                      "Firings refused because the rule and group were in cooldown.");
    errors_ = metrics->AddCounter("llmtap_alert_errors_total",
                                  "Storage errors while evaluating alerts or storing events.");
    metrics->AddGauge("llmtap_alert_firing", "Rule and group pairs at WARN, ALERT or NO_DATA.",
                      [this] { return static_cast<double>(firing()); });
  }
}

AlertEvaluator::~AlertEvaluator() { Stop(); }

absl::Status AlertEvaluator::RestoreState() {
  absl::MutexLock lock(&mu_);
  return log_->ForEach([&](const v1::AlertEvent& e) {
    AlertState& state = states_[{e.rule(), e.group()}];
    absl::Time last_fired = state.last_fired();
    if (e.previous_level() == v1::ALERT_LEVEL_OK && e.level() != v1::ALERT_LEVEL_OK) {
      last_fired = absl::FromUnixNanos(e.time_unix_nano());
    }
    state.Restore(e.level(), last_fired);
  });
}

void AlertEvaluator::Start() { thread_ = std::thread([this] { Run(); }); }

void AlertEvaluator::Stop() {
  if (!stop_.HasBeenNotified()) stop_.Notify();
  if (thread_.joinable()) thread_.join();
}

void AlertEvaluator::Run() {
  do {
    EvaluateOnce(absl::Now());
  } while (!stop_.WaitForNotificationWithTimeout(interval_));
}

size_t AlertEvaluator::firing() const {
  absl::MutexLock lock(&mu_);
  size_t n = 0;
  for (const auto& [key, state] : states_) n += state.level() != v1::ALERT_LEVEL_OK;
  return n;
}

std::vector<v1::AlertEvent> AlertEvaluator::EvaluateOnce(absl::Time now) {
  evaluations_->Add();
  const std::vector<v1::AlertRule> all = rules_->List();
  const int64_t now_s = absl::ToUnixSeconds(now);
  const int64_t cur = now_s - ((now_s % kMinute) + kMinute) % kMinute;
  const int64_t end_s = cur + kMinute;

  std::vector<RulePass> passes;
  bool any_app = false;
  std::set<std::string> apps;
  for (const v1::AlertRule& rule : all) {
    if (!rule.enabled()) continue;
    RulePass p{&rule, AlertSeries(rule), 0, 0, {}};
    p.window_start_s = cur - kMinute * Minutes(rule.window_s());
    p.baseline_start_s = p.window_start_s;
    if (rule.kind() == v1::ALERT_KIND_DRIFT) {
      p.baseline_start_s -= kMinute * Minutes(rule.baseline_window_s());
    }
    if (rule.app().empty()) {
      any_app = true;
    } else {
      apps.insert(rule.app());
    }
    passes.push_back(std::move(p));
  }
  if (any_app) {
    for (std::string& app : store_->ListApps()) apps.insert(std::move(app));
  }

  // One scan per app over the longest range any of its rules needs.
  for (const std::string& app : apps) {
    std::vector<RulePass*> relevant;
    int64_t start_s = end_s;
    // The longest prefix shared by the series read: the scan seeks past other series.
    std::string_view prefix;
    for (RulePass& p : passes) {
      if (!p.rule->app().empty() && p.rule->app() != app) continue;
      prefix = relevant.empty() ? std::string_view(p.series) : CommonPrefix(prefix, p.series);
      relevant.push_back(&p);
      start_s = std::min(start_s, p.baseline_start_s);
    }
    if (relevant.empty()) continue;
    absl::Status s = store_->ScanRollups(
        keys::kMinute, app, start_s, end_s, prefix,
        [&](std::string_view model, std::string_view variant, std::string_view series,
            int64_t bucket, const Rollup& r) {
          for (RulePass* p : relevant) {
            const v1::AlertRule& rule = *p->rule;
            if (series != p->series || bucket < p->baseline_start_s) continue;
            if (!rule.model().empty() && model != rule.model()) continue;
            if (!rule.variant().empty() && variant != rule.variant()) continue;
            auto& [window, baseline] = p->groups[GroupKey(rule, app, model, variant)];
            (bucket >= p->window_start_s ? window : baseline).Merge(r);
          }
        });
    if (!s.ok()) {
      errors_->Add();
      spdlog::warn("alerts: reading rollups of app '{}': {}", app, s.ToString());
    }
  }

  // Level changes under the lock; storing and notifying after it (no lock across I/O).
  std::vector<std::pair<v1::AlertEvent, const v1::AlertRule*>> changes;
  absl::ReleasableMutexLock lock(&mu_);
  // Forget the states of rules deleted or disabled.
  std::set<std::string> live;
  for (const RulePass& p : passes) live.insert(p.rule->name());
  for (auto it = states_.begin(); it != states_.end();) {
    it = live.contains(it->first.first) ? std::next(it) : states_.erase(it);
  }
  for (RulePass& p : passes) {
    const v1::AlertRule& rule = *p.rule;
    // Groups without rows still get judged (with an empty window): no-data policy.
    auto lo = states_.lower_bound({rule.name(), ""});
    for (auto it = lo; it != states_.end() && it->first.first == rule.name(); ++it) {
      p.groups.try_emplace(it->first.second);
    }
    if (auto fixed = FixedGroup(rule)) p.groups.try_emplace(*fixed);

    for (const auto& [group, rollups] : p.groups) {
      const Verdict v = CheckRule(rule, rollups.first, rollups.second);
      AlertState& state = states_[{rule.name(), group}];
      v1::AlertLevel target = v.level;
      if (!v.has_data) {
        switch (rule.no_data()) {
          case v1::AlertRule::NO_DATA_OK:
            target = v1::ALERT_LEVEL_OK;
            break;
          case v1::AlertRule::NO_DATA_ALERT:
            target = v1::ALERT_LEVEL_NO_DATA;
            break;
          default:
            target = state.level();
            break;
        }
      }
      const Step step = state.Apply(target, now, absl::Seconds(rule.cooldown_s()));
      if (step.suppressed) suppressed_->Add();
      if (!step.emit) continue;
      v1::AlertEvent event = MakeEvent(rule, group, step, v.value, v.count, v.threshold, now);
      if (!v.has_data) {
        event.set_message(Cat("[", LevelName(step.to), "] ", rule.name(), " (", group, "): ",
                              step.to == v1::ALERT_LEVEL_OK ? "resolved with " : "",
                              "no data: ", v.count, " observation(s) of ", KindName(rule.kind()),
                              " in the last ", rule.window_s(), " s, need ", rule.min_count()));
      }
      changes.emplace_back(std::move(event), &rule);
    }
  }
  lock.Release();

  std::vector<v1::AlertEvent> emitted;
  for (auto& [event, rule] : changes) {
    if (absl::Status s = log_->Put(event); !s.ok()) {
      errors_->Add();
      spdlog::warn("alerts: storing event {}: {}", event.id(), s.ToString());
    }
    events_->Add();
    spdlog::info("alert: {}", event.message());
    if (notifier_ != nullptr) notifier_->Notify(event, rule->kind(), rule->webhooks());
    emitted.push_back(std::move(event));
  }
  return emitted;
}

v1::AlertEvent AlertEvaluator::MakeEvent(const v1::AlertRule& rule, const std::string& group,
                                         const Step& step, double value, uint64_t count,
                                         double threshold, absl::Time now) const {
  v1::AlertEvent e;
  e.set_id(AlertLog::NewId(now));
  e.set_rule(rule.name());
  e.set_group(group);
  e.set_level(step.to);
  e.set_previous_level(step.from);
  e.set_value(value);
  e.set_count(count);
  e.set_time_unix_nano(absl::ToUnixNanos(now));
  const bool below = rule.kind() == v1::ALERT_KIND_SCORE_BELOW;
  const bool drift = rule.kind() == v1::ALERT_KIND_DRIFT;
  std::string what = drift ? Cat("drift of '", rule.rubric(), "' z = ", Num(value))
                     : below ? Cat("mean of '", rule.rubric(), "' ", Num(value))
                             : Cat(KindName(rule.kind()), " ", Num(value));
  if (rule.kind() == v1::ALERT_KIND_LATENCY_P95_ABOVE) what += " ms";
  const std::string bound = Cat(drift ? "|z| " : "", below ? "< " : "> ", Num(threshold));
  std::string text;
  if (step.to == v1::ALERT_LEVEL_OK) {
    text = Cat("[RESOLVED] ", rule.name(), " (", group, "): ", what, ", no longer ", bound,
               " over ", count, " observation(s) in the last ", rule.window_s(), " s (was ",
               LevelName(step.from), ")");
  } else {
    text = Cat("[", LevelName(step.to), "] ", rule.name(), " (", group, "): ", what, " ", bound,
               " over ", count, " observation(s) in the last ", rule.window_s(), " s");
  }
  e.set_message(std::move(text));
  return e;
}

}  // namespace llmtap::collector

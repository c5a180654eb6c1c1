#include "collector/query/agreement_query.h"

#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "collector/common/strings.h"
#include "collector/query/agreement_math.h"
#include "collector/query/filter.h"
#include "collector/store/keys.h"

namespace llmtap::collector {
namespace {

absl::Status Bad(std::string_view field, std::string_view why) {
  return absl::InvalidArgumentError(Cat(field, ": ", why));
}

bool BadName(std::string_view name) {
  return name.empty() || name.size() > v1::LIMIT_NAME_BYTES ||
         name.find('\0') != std::string_view::npos;
}

absl::Status Validate(const v1::AgreementRequest& r) {
  if (absl::Status s = ValidateFilter(r.filter(), "filter"); !s.ok()) return s;
  if (BadName(r.rubric())) return Bad("rubric", "required, at most 256 bytes, no NUL");
  if (r.label_key().empty() == (r.labels_size() == 0)) {
    return Bad("label_key", "give exactly one of label_key and labels");
  }
  if (!r.label_key().empty() && BadName(r.label_key())) {
    return Bad("label_key", "at most 256 bytes, no NUL");
  }
  if (r.labels_size() > kMaxAgreementLabels) {
    return Bad("labels", Cat("at most ", kMaxAgreementLabels));
  }
  for (int i = 0; i < r.labels_size(); ++i) {
    if (!keys::DecodeId(r.labels(i).sample_id())) {
      return Bad(Cat("labels[", i, "].sample_id"), "want 32 lowercase hex characters");
    }
    if (r.labels(i).value().size() > v1::LIMIT_NAME_BYTES) {
      return Bad(Cat("labels[", i, "].value"), "at most 256 bytes");
    }
  }
  if (r.has_label_threshold() && !std::isfinite(r.label_threshold())) {
    return Bad("label_threshold", "must be finite");
  }
  return absl::OkStatus();
}

const v1::Score* FindScored(const std::vector<v1::Score>& scores, std::string_view rubric) {
  for (const v1::Score& s : scores) {
    if (s.rubric() == rubric && s.state() == v1::SCORE_STATE_SCORED) return &s;
  }
  return nullptr;
}

// Adds pairs one at a time and fills the response.
class Tally {
 public:
  explicit Tally(double threshold) : threshold_(threshold) {}

  void Add(const v1::Score& score, std::string_view label_text) {
    std::optional<Label> label = ParseLabel(label_text, threshold_);
    if (!label) {
      ++unreadable_;
      return;
    }
    if (score.passed() && label->pass) ++table_.both_pass;
    if (score.passed() && !label->pass) ++table_.a_pass_b_fail;
    if (!score.passed() && label->pass) ++table_.a_fail_b_pass;
    if (!score.passed() && !label->pass) ++table_.both_fail;
    values_.push_back(score.value());
    labels_.push_back(label->value);
  }

  void Fill(v1::AgreementResponse* out) const {
    out->set_samples(table_.n());
    out->set_unreadable_labels(unreadable_);
    v1::ConfusionTable* c = out->mutable_confusion();
    c->set_both_pass(table_.both_pass);
    c->set_rubric_pass_human_fail(table_.a_pass_b_fail);
    c->set_rubric_fail_human_pass(table_.a_fail_b_pass);
    c->set_both_fail(table_.both_fail);
    const KappaResult k = CohenKappa(table_);
    out->set_observed_agreement(k.observed);
    out->set_expected_agreement(k.expected);
    out->set_kappa(k.kappa);
    out->set_numeric_samples(values_.size());
    const SpearmanResult s = Spearman(values_, labels_);
    out->set_spearman_rho(s.rho);
    out->set_spearman_p_value(s.p_value);
  }

 private:
  const double threshold_;
  PassFailTable table_;
  uint64_t unreadable_ = 0;
  std::vector<double> values_;
  std::vector<double> labels_;
};

}  // namespace

std::optional<Label> ParseLabel(std::string_view text, double threshold) {
  std::string t(text);
  absl::StripAsciiWhitespace(&t);
  absl::AsciiStrToLower(&t);
  if (t == "pass" || t == "true" || t == "yes" || t == "good") return Label{1, true};
  if (t == "fail" || t == "false" || t == "no" || t == "bad") return Label{0, false};
  double v = 0;
  if (t.empty() || !absl::SimpleAtod(t, &v) || !std::isfinite(v)) return std::nullopt;
  return Label{v, v >= threshold};
}

absl::StatusOr<v1::AgreementResponse> RunAgreement(const Store& store,
                                                   const v1::AgreementRequest& r) {
  if (absl::Status s = Validate(r); !s.ok()) return s;
  Tally tally(r.has_label_threshold() ? r.label_threshold() : kDefaultLabelThreshold);
  v1::AgreementResponse response;
  if (!r.label_key().empty()) {
    v1::Filter filter = r.filter();
    filter.set_rubric(r.rubric());  // Only samples the rubric scored.
    uint64_t unlabelled = 0;
    absl::Status s = ScanFiltered(
        store, filter, /*with_scores=*/true,
        [&](const v1::Sample& sample, const std::vector<v1::Score>& scores) {
          const v1::Score* score = FindScored(scores, r.rubric());
          if (score == nullptr) return;
          auto it = sample.metadata().find(r.label_key());
          if (it == sample.metadata().end()) {
            ++unlabelled;
            return;
          }
          tally.Add(*score, it->second);
        });
    if (!s.ok()) return s;
    response.set_unlabelled(unlabelled);
  } else {
    // The last label of a sample given twice wins.
    std::map<std::string, std::string> labels;
    for (const v1::HumanLabel& l : r.labels()) labels[l.sample_id()] = l.value();
    const v1::Filter& f = r.filter();
    uint64_t unscored = 0;
    for (const auto& [id, value] : labels) {
      absl::StatusOr<v1::Sample> sample = store.GetSample(id);
      if (!sample.ok() && sample.status().code() != absl::StatusCode::kNotFound) {
        return sample.status();
      }
      const bool in_filter =
          sample.ok() && AppMatches(f, sample->app()) &&
          (f.start_unix_nano() == 0 || sample->start_time_unix_nano() >= f.start_unix_nano()) &&
          (f.end_unix_nano() == 0 || sample->start_time_unix_nano() < f.end_unix_nano()) &&
          SampleMatches(f, *sample);
      if (!in_filter) {
        ++unscored;
        continue;
      }
      absl::StatusOr<std::vector<v1::Score>> scores = store.GetScores(id);
      if (!scores.ok()) return scores.status();
      const v1::Score* score = FindScored(*scores, r.rubric());
      if (score == nullptr || !ScoresMatch(f, *scores)) {
        ++unscored;
        continue;
      }
      tally.Add(*score, value);
    }
    response.set_unscored_labels(unscored);
  }
  tally.Fill(&response);
  return response;
}

}  // namespace llmtap::collector

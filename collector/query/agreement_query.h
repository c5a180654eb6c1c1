// Agreement: how far a rubric's verdicts agree with human labels, over the samples of a
// Filter. The labels are the value of a metadata key on each sample, or (sample id, value)
// pairs sent with the request (an imported label file). A label is "pass"/"fail" (or
// true/false, yes/no, good/bad), counted as 1/0, or a number; it passes when it is a pass word
// or a number >= label_threshold.
//
// Reported: the confusion table of the rubric's pass (Score.passed) against the label's,
// Cohen's kappa over it, and Spearman's rho of the score values against the label values.
// Only SCORED scores count; labels that are neither a pass word nor a number, and labels
// whose sample is unknown, outside the filter or not scored by the rubric, are counted apart.
//
// Thread-safe.
#ifndef LLMTAP_COLLECTOR_QUERY_AGREEMENT_QUERY_H_
#define LLMTAP_COLLECTOR_QUERY_AGREEMENT_QUERY_H_

#include <optional>
#include <string_view>

#include "absl/status/statusor.h"
#include "collector/store/store.h"
#include "llmtap/v1/query.pb.h"

namespace llmtap::collector {

// Most labels one request may carry, and the default of label_threshold.
inline constexpr int kMaxAgreementLabels = 100000;
inline constexpr double kDefaultLabelThreshold = 0.5;

struct Label {
  double value = 0;  // 1 / 0 for pass / fail words.
  bool pass = false;
};
// nullopt when `text` is neither a pass/fail word (any case, surrounding spaces ignored) nor a
// finite number.
std::optional<Label> ParseLabel(std::string_view text, double threshold);

// Validates the request (INVALID_ARGUMENT naming the field) and measures the agreement. A
// metadata-key request scans the filter's samples (at most kMaxScanSamples, else
// RESOURCE_EXHAUSTED); a label list reads each labelled sample by id.
absl::StatusOr<v1::AgreementResponse> RunAgreement(const Store& store,
                                                   const v1::AgreementRequest& request);

}  // namespace llmtap::collector

#endif  // LLMTAP_COLLECTOR_QUERY_AGREEMENT_QUERY_H_

// Pricing: costs a sample from the per-model price table when the caller sent no cost.
#ifndef LLMTAP_COLLECTOR_INGEST_PRICING_H_
#define LLMTAP_COLLECTOR_INGEST_PRICING_H_

#include <vector>

#include "llmtap/v1/config.pb.h"
#include "llmtap/v1/sample.pb.h"

namespace llmtap::collector {

// Immutable; thread-safe.
class PriceTable {
 public:
  explicit PriceTable(const google::protobuf::RepeatedPtrField<v1::ModelPrice>& prices);
  // Sets sample->cost_usd from its tokens when a price matches its model: an exact name wins,
  // then the longest matching "prefix*" entry. Leaves the sample alone otherwise.
  void Price(v1::Sample* sample) const;
  bool empty() const { return prices_.empty(); }

 private:
  std::vector<v1::ModelPrice> prices_;
};

}  // namespace llmtap::collector

#endif  // LLMTAP_COLLECTOR_INGEST_PRICING_H_

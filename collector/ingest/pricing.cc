#include "collector/ingest/pricing.h"


namespace llmtap::collector {

PriceTable::PriceTable(const google::protobuf::RepeatedPtrField<v1::ModelPrice>& prices)
    : prices_(prices.begin(), prices.end()) {}

void PriceTable::Price(v1::Sample* sample) const {
  const v1::ModelPrice* best = nullptr;
  size_t best_len = 0;
  for (const auto& p : prices_) {
    const std::string& m = p.model();
    if (m == sample->model()) {
      best = &p;
      break;
    }
    if (!m.empty() && m.back() == '*' && m.size() - 1 >= best_len &&
        sample->model().compare(0, m.size() - 1, m, 0, m.size() - 1) == 0) {
      best = &p;
      best_len = m.size() - 1;
    }
  }
  if (best == nullptr) return;
  sample->set_cost_usd((sample->input_tokens() * best->usd_per_million_input_tokens() +
                        sample->output_tokens() * best->usd_per_million_output_tokens()) /
                       1e6);
}

}  // namespace llmtap::collector

#include "tools/demo/demo_data.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <vector>

namespace llmtap::demo {
namespace {

struct Question {
  std::string prompt;
  std::vector<std::string> contexts;
  std::string reference;
  // Right answers in different words, and wrong ones (plausible, not supported by the context).
  std::vector<std::string> right;
  std::vector<std::string> wrong;
};

const std::map<std::string, std::vector<Question>>& Questions() {
  static const auto* questions = new std::map<std::string, std::vector<Question>>{
      {"support-bot",
       {{"How do I reset my password?",
         {"To reset a password, open Settings, choose Security, and click Reset password. A "
          "reset link is emailed and stays valid for 30 minutes."},
         "Open Settings, choose Security and click Reset password; the emailed link is valid "
         "for 30 minutes.",
         {"Open Settings, choose Security and click Reset password. We email you a reset link "
          "that is valid for 30 minutes.",
          "Go to Settings > Security and click Reset password, then use the link we email you "
          "within 30 minutes."},
         {"Call our support line and an agent will reset your password by phone within 24 "
          "hours.",
          "Passwords cannot be reset; create a new account with a different email address."}},
        {"What is your refund policy?",
         {"Refunds: any order can be returned within 30 days of delivery for a full refund. "
          "Refunds reach the original payment method in 5 to 7 business days."},
         "Orders can be returned within 30 days of delivery for a full refund, paid back to the "
         "original payment method in 5 to 7 business days.",
         {"You can return any order within 30 days of delivery for a full refund; the money "
          "reaches your original payment method in 5 to 7 business days."},
         {"Refunds are only possible within 7 days and are paid as store credit.",
          "We do not offer refunds on any orders."}},
        {"How long does shipping to Germany take?",
         {"Shipping times: United States 2-4 business days; European Union 5-8 business days; "
          "rest of the world 10-15 business days."},
         "Shipping to Germany, in the European Union, takes 5 to 8 business days.",
         {"Germany is in the European Union, so shipping takes 5 to 8 business days."},
         {"Shipping to Germany takes 2 to 4 business days.",
          "We ship to Germany overnight at no cost."}},
        {"Can I cancel my subscription at any time?",
         {"Subscriptions can be cancelled at any time from Billing. Access continues until the "
          "end of the paid period; no partial refunds are given."},
         "Yes, cancel any time from Billing; access lasts until the end of the paid period and "
         "there are no partial refunds.",
         {"Yes. Cancel from the Billing page at any time; you keep access until the paid period "
          "ends, without a partial refund."},
         {"Subscriptions are locked for 12 months and cannot be cancelled early.",
          "Yes, and we refund the unused days of the month automatically."}},
        {"Do you support two-factor authentication?",
         {"Two-factor authentication is supported with authenticator apps and security keys. "
          "Enable it under Settings, Security, Two-factor."},
         "Yes, with authenticator apps or security keys, under Settings, Security, Two-factor.",
         {"Yes: turn it on under Settings > Security > Two-factor, with an authenticator app or "
          "a security key."},
         {"Two-factor authentication is only available over SMS for enterprise customers."}}}},
      {"search-summarizer",
       {{"Summarize: the quarterly report on cloud revenue.",
         {"Cloud revenue grew 28 percent year over year to 4.2 billion dollars, driven by "
          "storage and analytics. Operating margin improved to 31 percent. The company expects "
          "growth to slow to about 20 percent next quarter."},
         "Cloud revenue rose 28% to $4.2B on storage and analytics, margin reached 31%, and "
         "growth is expected to slow to about 20% next quarter.",
         {"Cloud revenue grew 28 percent to 4.2 billion dollars, led by storage and analytics; "
          "operating margin improved to 31 percent, and growth should slow to about 20 percent "
          "next quarter."},
         {"Cloud revenue fell 28 percent as customers moved to competitors, and the company "
          "expects losses next quarter.",
          "Revenue doubled thanks to a new smartphone launch."}},
        {"Summarize: the city council decision on bike lanes.",
         {"The city council voted 7 to 2 to build 40 kilometres of protected bike lanes by "
          "2027, funded by a 12 million euro transport grant. Construction starts in spring on "
          "the main east-west corridor."},
         "The council voted 7-2 for 40 km of protected bike lanes by 2027, paid by a 12 million "
         "euro grant, starting in spring on the east-west corridor.",
         {"By 7 votes to 2 the council approved 40 kilometres of protected bike lanes by 2027, "
          "paid for with a 12 million euro transport grant; work begins in spring on the "
          "east-west corridor."},
         {"The council rejected the bike lane plan and will widen roads for cars instead.",
          "The bike lanes will be built next month with private money."}},
        {"Summarize: the study on sleep and memory.",
         {"Participants who slept eight hours recalled 35 percent more word pairs than those "
          "kept awake. The effect was strongest for items learned just before sleep. The study "
          "followed 120 adults over four weeks."},
         "In a four-week study of 120 adults, eight hours of sleep improved recall of word pairs "
         "by 35%, most for items learned right before sleeping.",
         {"A four-week study of 120 adults found that eight hours of sleep raised recall of word "
          "pairs by 35 percent, especially for items learned just before sleep."},
         {"The study found that sleep has no effect on memory.",
          "Sleeping less than five hours improved memory by 35 percent."}},
        {"Summarize: the product launch announcement.",
         {"The new X2 headphones ship on March 3 at 249 dollars. They offer 40 hours of battery "
          "life and adaptive noise cancelling, and weigh 250 grams."},
         "X2 headphones ship March 3 for $249 with 40-hour battery, adaptive noise cancelling, "
         "and a weight of 250 g.",
         {"The X2 headphones ship on March 3 for 249 dollars, with 40 hours of battery life, "
          "adaptive noise cancelling and a weight of 250 grams."},
         {"The X2 headphones are free with any phone and have no battery."}}}},
      {"sql-helper",
       {{"Write SQL: number of orders per customer in 2025.",
         {"Table orders(id, customer_id, created_at, total)."},
         "SELECT customer_id, COUNT(*) AS orders FROM orders WHERE created_at >= '2025-01-01' "
         "AND created_at < '2026-01-01' GROUP BY customer_id;",
         {"SELECT customer_id, COUNT(*) AS orders FROM orders WHERE created_at >= '2025-01-01' "
          "AND created_at < '2026-01-01' GROUP BY customer_id;"},
         {"SELECT * FROM customers;", "SELECT COUNT(*) FROM orders;"}},
        {"Write SQL: top 5 products by revenue.",
         {"Table order_items(order_id, product_id, quantity, price)."},
         "SELECT product_id, SUM(quantity * price) AS revenue FROM order_items GROUP BY "
         "product_id ORDER BY revenue DESC LIMIT 5;",
         {"SELECT product_id, SUM(quantity * price) AS revenue FROM order_items GROUP BY "
          "product_id ORDER BY revenue DESC LIMIT 5;"},
         {"SELECT product_id FROM order_items LIMIT 5;"}},
        {"Write SQL: customers with no orders.",
         {"Tables customers(id, name) and orders(id, customer_id)."},
         "SELECT c.id, c.name FROM customers c LEFT JOIN orders o ON o.customer_id = c.id WHERE "
         "o.id IS NULL;",
         {"SELECT c.id, c.name FROM customers c LEFT JOIN orders o ON o.customer_id = c.id "
          "WHERE o.id IS NULL;"},
         {"SELECT * FROM customers c JOIN orders o ON o.customer_id = c.id;"}}}},
  };
  return *questions;
}

const char* kRefusal = "I'm sorry, but I can't help with that request.";
const char* kPersonalData =
    " If that does not work, write to our agent maria.lopez@example.com or call her at "
    "+1 415 555 0134.";

// Typical latency (ms) of each model.
double BaseLatency(const std::string& model) {
  if (model == "gpt-4o") return 1400;
  if (model == "llama-3.1-8b") return 450;
  return 650;
}

int Words(const std::string& s) {
  return static_cast<int>(std::count(s.begin(), s.end(), ' ')) + 1;
}

}  // namespace

int QuestionCount(const std::string& app) {
  auto it = Questions().find(app);
  return it == Questions().end() ? 1 : static_cast<int>(it->second.size());
}

Sample DemoCall(const CallSpec& spec, std::mt19937_64& rng) {
  const std::vector<Question>& qs = Questions().at(spec.app);
  const Question& q = qs[static_cast<size_t>(spec.question) % qs.size()];
  auto pick = [&rng](const std::vector<std::string>& v) {
    return v[std::uniform_int_distribution<size_t>(0, v.size() - 1)(rng)];
  };
  Sample s;
  s.app = spec.app;
  s.model = spec.model;
  s.variant = spec.variant;
  s.prompt_version = spec.prompt_version;
  s.session_id = spec.session_id;
  s.pair_id = spec.pair_id;
  s.start_time = spec.start;
  // Prompt v1 let the model chat; v2 asks for a short answer from the context.
  s.prompt = q.prompt + (spec.prompt_version == "v1" ? "\n\n(You are a friendly assistant.)"
                                                     : "\n\n(Answer briefly from the context.)");
  s.contexts = q.contexts;
  s.reference = q.reference;
  switch (spec.outcome) {
    case Outcome::kRight:
      s.response = pick(q.right);
      // v1 rambled: a long preamble that hurts conciseness and overlap scores.
      if (spec.prompt_version == "v1") {
        s.response = "Thank you for your question, I am happy to help you with this today. " +
                     s.response + " Please let me know if there is anything else at all that I "
                     "can do for you, I am always here to help with any other questions.";
      }
      break;
    case Outcome::kWrong:
      s.response = pick(q.wrong);
      break;
    case Outcome::kRefusal:
      s.response = kRefusal;
      break;
    case Outcome::kPersonalData:
      s.response = pick(q.right) + kPersonalData;
      break;
    case Outcome::kError:
      s.ok = false;
      s.error = spec.latency_factor > 2 ? "upstream timeout after 30 s" : "HTTP 503: overloaded";
      break;
  }
  std::lognormal_distribution<double> jitter(0.0, 0.35);
  const double base = BaseLatency(spec.model) * spec.latency_factor;
  s.latency_ms = std::round(base * jitter(rng) * 10) / 10;
  if (s.ok) s.time_to_first_token_ms = std::round(s.latency_ms * 0.28 * 10) / 10;
  int context_words = 0;
  for (const auto& c : s.contexts) context_words += Words(c);
  s.input_tokens = static_cast<int64_t>((Words(s.prompt) + context_words) * 1.3) + 40;
  s.output_tokens = s.ok ? static_cast<int64_t>(Words(s.response) * 1.3) : 0;
  return s;
}

}  // namespace llmtap::demo

// Redaction: what each built-in redactor removes and keeps, adversarial inputs, and that
// conversion to the wire format redacts every text field.
#include "redactor.h"

#include <gtest/gtest.h>

#include <chrono>

#include "sample_convert.h"

namespace llmtap::internal {
namespace {

std::unique_ptr<Redactor> Make(bool emails, bool phones, bool cards, bool ips,
                               std::vector<std::string> custom = {}) {
  RedactionOptions o;
  o.emails = emails;
  o.phone_numbers = phones;
  o.card_numbers = cards;
  o.ip_addresses = ips;
  o.custom_patterns = std::move(custom);
  std::unique_ptr<Redactor> r;
  EXPECT_TRUE(Redactor::Create(o, &r).ok());
  return r;
}

std::string Redacted(const Redactor& r, std::string s) {
  r.Redact(&s);
  return s;
}

TEST(Redactor, EmailsBecomeTags) {
  auto r = Make(true, false, false, false);
  EXPECT_EQ(Redacted(*r, "mail jane.doe+x@mail.example.co.uk now"), "mail [EMAIL] now");
  EXPECT_EQ(Redacted(*r, "a@b.io,c@d.org"), "[EMAIL],[EMAIL]");
  EXPECT_EQ(Redacted(*r, "not an email: foo@bar, @x.com"), "not an email: foo@bar, @x.com");
}

TEST(Redactor, CardNumbersOnlyWhenLuhnPasses) {
  auto r = Make(false, false, true, false);
  EXPECT_EQ(Redacted(*r, "card 4111 1111 1111 1111 ok"), "card [CARD] ok");
  EXPECT_EQ(Redacted(*r, "card 4111-1111-1111-1111."), "card [CARD].");
  EXPECT_EQ(Redacted(*r, "5500005555555559"), "[CARD]");
  EXPECT_EQ(Redacted(*r, "amex 378282246310005"), "amex [CARD]");
  // Fails Luhn: an order number stays.
  EXPECT_EQ(Redacted(*r, "order 4111 1111 1111 1112"), "order 4111 1111 1111 1112");
  // Too short / too long digit strings stay.
  EXPECT_EQ(Redacted(*r, "id 411111111111"), "id 411111111111");
  EXPECT_EQ(Redacted(*r, "12345678901234567890123"), "12345678901234567890123");
}

TEST(Redactor, CardFollowedOrPrecededByOtherNumbersIsStillFound) {
  auto r = Make(false, false, true, false);
  // The whole digit run (18 digits) fails Luhn; the card inside it must not leak.
  EXPECT_EQ(Redacted(*r, "4111111111111111 42"), "[CARD] 42");
  EXPECT_EQ(Redacted(*r, "qty 7 4111 1111 1111 1111 exp 12 29"), "qty 7 [CARD] exp 12 29");
  EXPECT_EQ(Redacted(*r, "4111111111111111 5500005555555559"), "[CARD] [CARD]");
}

TEST(Redactor, CardInsideAWordIsNotACard) {
  auto r = Make(false, false, true, false);
  EXPECT_EQ(Redacted(*r, "x4111111111111111"), "x4111111111111111");
}

TEST(Redactor, PhoneNumbers) {
  auto r = Make(false, true, false, false);
  EXPECT_EQ(Redacted(*r, "call (555) 123-4567 today"), "call [PHONE] today");
  EXPECT_EQ(Redacted(*r, "call 555-123-4567"), "call [PHONE]");
  EXPECT_EQ(Redacted(*r, "call +1 555 123 4567"), "call [PHONE]");
  EXPECT_EQ(Redacted(*r, "uk +44 20 7946 0958"), "uk [PHONE]");
  EXPECT_EQ(Redacted(*r, "e164 +14155552671."), "e164 [PHONE].");
  EXPECT_EQ(Redacted(*r, "in 2024 we sold 12 units"), "in 2024 we sold 12 units");
}

TEST(Redactor, IpAddresses) {
  auto r = Make(false, false, false, true);
  EXPECT_EQ(Redacted(*r, "from 192.168.1.20 to 10.0.0.1"), "from [IP] to [IP]");
  EXPECT_EQ(Redacted(*r, "v6 2001:db8:85a3::8a2e:370:7334 end"), "v6 [IP] end");
  EXPECT_EQ(Redacted(*r, "v6 fe80::1:2: trailing colon"), "v6 [IP]: trailing colon");
  EXPECT_EQ(Redacted(*r, "not ips: 999.1.1.1 and 1.2.3"), "not ips: 999.1.1.1 and 1.2.3");
  // Times and C++ names are not addresses.
  EXPECT_EQ(Redacted(*r, "at 12:30:45 call fa::b()"), "at 12:30:45 call fa::b()");
}

TEST(Redactor, CustomPatternsAndInvalidPattern) {
  auto r = Make(false, false, false, false, {"sk-[A-Za-z0-9]{8,}", "(?i)secret"});
  EXPECT_EQ(Redacted(*r, "key sk-abcdef123456 is SECRET"), "key [REDACTED] is [REDACTED]");
  RedactionOptions bad;
  bad.custom_patterns = {"(unclosed"};
  std::unique_ptr<Redactor> out;
  Status s = Redactor::Create(bad, &out);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("(unclosed"), std::string::npos);
}

TEST(Redactor, AdversarialInputsAreLinearAndSafe) {
  auto r = Make(true, true, true, true);
  // Long runs that make backtracking engines explode; RE2 is linear.
  std::vector<std::string> inputs = {
      std::string(200000, 'a') + "@",
      std::string(100000, '1'),
      [] {
        std::string s;
        for (int i = 0; i < 50000; ++i) s += "1 ";
        return s;
      }(),
      [] {
        std::string s;
        for (int i = 0; i < 30000; ++i) s += "a.";
        return s + "@b";
      }(),
      std::string(100000, ':'),
      std::string("\0\xff\xfe@\x80.com 4111\0111111111111", 30),
  };
  for (auto& in : inputs) {
    const auto start = std::chrono::steady_clock::now();
    std::string s = in;
    r->Redact(&s);
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
  }
  // Replacements next to each other and at both ends.
  // Once the email is gone the digits stand alone, and are a card.
  EXPECT_EQ(Redacted(*r, "a@b.co4111111111111111"), "[EMAIL][CARD]");
  EXPECT_EQ(Redacted(*r, "4111111111111111"), "[CARD]");
  EXPECT_EQ(Redacted(*r, ""), "");
}

TEST(Redactor, ConversionRedactsEveryTextField) {
  auto r = Make(true, false, true, false);
  Sample s;
  s.id = NewSampleId();
  s.app = "a";
  s.prompt = "I am joe@x.com";
  s.response = "card 4111111111111111";
  s.reference = "joe@x.com";
  s.error = "failed for joe@x.com";
  s.contexts = {"ctx joe@x.com"};
  s.metadata = {{"user", "joe@x.com"}};
  v1::Sample out;
  MoveToProto(std::move(s), r.get(), &out);
  EXPECT_EQ(out.prompt(), "I am [EMAIL]");
  EXPECT_EQ(out.response(), "card [CARD]");
  EXPECT_EQ(out.reference(), "[EMAIL]");
  EXPECT_EQ(out.error(), "failed for [EMAIL]");
  EXPECT_EQ(out.contexts(0), "ctx [EMAIL]");
  EXPECT_EQ(out.metadata().at("user"), "[EMAIL]");
}

}  // namespace
}  // namespace llmtap::internal

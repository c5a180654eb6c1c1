// The RocksDB key layout. Every key the collector writes is built and parsed here.
//
// Column family  key                                                     value
// samples        app '\0' be64(start_time_unix_nano) id16                v1.Sample
// ids            id16                                                    samples key
// scores         id16 rubric                                             v1.Score
//                id16 (fleet store: this sample's scores were stored)    ""
// queue          be64(received_unix_nano) id16                           store.QueueEntry
// forward        be64(received_unix_nano) id16                           samples key (fleet
//                                                                        edge: not yet in Kafka)
// rollups        res app '\0' series '\0' be64(bucket_start_s) model '\0' variant
//                                                                        store.RollupValue (merge)
// meta           "app/" app                                              "" (apps seen)
//                "client/" app '\0' client_id                            v1.ClientStats
//                "rubric/" name                                          v1.Rubric
//                "rubriccfg/" name                                       v1.Rubric (as the
//                                                                        config last gave it)
//                "alertrule/" name                                       v1.AlertRule
//                "alert/" be64(time_unix_nano) id                        v1.AlertEvent
//                "layout"                                                kLayoutVersion
//
// A samples value of 256 bytes or more is kept in a RocksDB blob file, the key's table entry
// pointing to it (storage.sample_blob_files, store_options.cc).
//
// be64 is big-endian so that byte order is time order; id16 is the 128-bit sample id (whose
// first 48 bits are Unix milliseconds, so id-keyed families are also in time order). res is
// 'm', 'h' or 'd' (minute, hour, day buckets). series is "m:<metric>" for built-in metrics,
// "r:<rubric>" for rubric scores and "s:<rubric>:<reason>" for counted scoring skips. Names
// (app, model, variant, rubric) never hold '\0': the validators refuse it.
//
// Rollup keys put the series before the bucket because queries read a few series over a
// range of buckets: each series of an app is one contiguous run of keys in time order.
#ifndef LLMTAP_COLLECTOR_STORE_KEYS_H_
#define LLMTAP_COLLECTOR_STORE_KEYS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace llmtap::collector::keys {

inline constexpr char kMinute = 'm';
inline constexpr char kHour = 'h';
inline constexpr char kDay = 'd';
// Bucket width in seconds of a resolution.
int64_t BucketSeconds(char res);

void PutBE64(std::string* out, uint64_t v);
uint64_t GetBE64(std::string_view in);

// Lowercase hex <-> bytes. DecodeHex returns nullopt on an odd length or a non-hex character;
// DecodeId also on anything but 32 characters (a sample id).
std::optional<std::string> DecodeHex(std::string_view hex);
std::optional<std::string> DecodeId(std::string_view hex);
// Decodes a sample id (32 lowercase hex characters) into out[0..16) without allocating;
// false (out unspecified) when `hex` is not one.
bool DecodeIdTo(std::string_view hex, char* out);
std::string EncodeId(std::string_view id16);
// Unix milliseconds in the first 48 bits of an id16.
int64_t IdMillis(std::string_view id16);

std::string SampleKey(std::string_view app, int64_t start_unix_nano, std::string_view id16);
// Everything after the app in a samples key.
std::string SampleKeyPrefix(std::string_view app);
struct SampleKeyParts {
  std::string_view app;
  int64_t start_unix_nano;
  std::string_view id16;
};
std::optional<SampleKeyParts> ParseSampleKey(std::string_view key);

std::string ScoreKey(std::string_view id16, std::string_view rubric);
std::string QueueKey(int64_t received_unix_nano, std::string_view id16);

std::string RollupKey(char res, std::string_view app, int64_t bucket_start_s,
                      std::string_view model, std::string_view variant, std::string_view series);
// res app '\0': every rollup of an app at one resolution.
std::string RollupPrefix(char res, std::string_view app);
// res app '\0' series '\0': one series of an app, all buckets.
std::string RollupSeriesPrefix(char res, std::string_view app, std::string_view series);
struct RollupKeyParts {
  char res;
  std::string_view app;
  int64_t bucket_start_s;
  std::string_view model;
  std::string_view variant;
  std::string_view series;
};
std::optional<RollupKeyParts> ParseRollupKey(std::string_view key);

inline constexpr std::string_view kAppPrefix = "app/";
inline constexpr std::string_view kClientPrefix = "client/";
inline constexpr std::string_view kRubricPrefix = "rubric/";
inline constexpr std::string_view kRubricConfigPrefix = "rubriccfg/";
inline constexpr std::string_view kAlertRulePrefix = "alertrule/";
inline constexpr std::string_view kAlertPrefix = "alert/";
// The key layout version, kept in meta: a data directory written with another layout is
// refused at open rather than misread.
inline constexpr std::string_view kLayoutKey = "layout";
inline constexpr std::string_view kLayoutVersion = "2";

}  // namespace llmtap::collector::keys

#endif  // LLMTAP_COLLECTOR_STORE_KEYS_H_

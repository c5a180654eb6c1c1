// The RocksDB key layout. Every key the collector writes is built and parsed here.
//
// Column family  key                                                     value
// samples        app '\0' be64(start_time_unix_nano) id16                v1.Sample
// ids            id16                                                    samples key
// scores         id16 rubric                                             v1.Score
//                id16 (fleet store: this sample's scores were stored)    ""
// queue          'q' app '\0' be64(received_unix_nano) id16             store.QueueEntry
//                'j' app '\0' be64(moved_unix_nano) id16                store.QueueEntry
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
//                "apikey/" key_id                                        v1.ApiKey (salted
//                                                                        SHA-256, no secret)
//                "audit/" be64(time_unix_nano) be64(seq)                 v1.AuditEvent
//                "layout"                                                kLayoutVersion
//                "embed/" model '\0' sha256(text)                        float32[] (little-
//                                                                        endian): the
//                                                                        embedding cache
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
// The scoring queue holds two stages per app. 'q' entries wait for scoring: ingest writes one
// per new sample, in the same batch as the sample. A worker scores the sample's synchronous
// rubrics and, in one batch, stores their scores and deletes the 'q' entry, adding a 'j' entry
// when asynchronous rubrics (LLM judges) are still to score: its QueueEntry lists them
// (pending_rubrics) and keeps the received time. The judge scores, the composites that wait
// for them and the deletion of the 'j' entry commit in one batch too, so after a crash either
// stage's entry is found again and scored once more, with nothing counted twice. Within a stage
// and app, keys are in the order they were written (the time part is made to grow: ingest
// stamps 'q' keys, the store stamps 'j' keys under one lock), so a reader can keep a cursor
// per (stage, app) and never miss a later entry.
//
// The order in which entries are served (ScoringEngine) is deficit round robin over the apps
// with waiting entries, one unit per sample and a quantum of kQueueQuantum samples per turn:
// each claim visits the apps in turn from where the last one stopped, taking up to a quantum
// of each app's oldest unclaimed entries, so an app that floods gets its turn like any other
// and cannot hold back the samples of a quiet one. Judge entries ('j') are served the same
// way, as slots free up at the endpoints.
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
// Scoring-queue stages (the key's first byte).
inline constexpr char kQueueWaiting = 'q';
inline constexpr char kQueueJudging = 'j';
// Samples of one app taken per turn of the round robin over apps.
inline constexpr size_t kQueueQuantum = 8;
// Fleet edge's forward queue.
std::string ForwardKey(int64_t received_unix_nano, std::string_view id16);
std::string QueueKey(char stage, std::string_view app, int64_t time_unix_nano,
                     std::string_view id16);
// stage app '\0': every entry of an app in one stage.
std::string QueuePrefix(char stage, std::string_view app);
struct QueueKeyParts {
  char stage;
  std::string_view app;
  int64_t time_unix_nano;
  std::string_view id16;
};
std::optional<QueueKeyParts> ParseQueueKey(std::string_view key);

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
inline constexpr std::string_view kApiKeyPrefix = "apikey/";
inline constexpr std::string_view kAuditPrefix = "audit/";
// Embeddings of texts that recur (references, contexts), per model: the embedding-similarity
// rubric's cache (scoring/store_embedding_cache.h). Kept until deleted; never expire.
inline constexpr std::string_view kEmbeddingPrefix = "embed/";
// "embed/" model '\0' and the 32 bytes of the text's SHA-256.
std::string EmbeddingKey(std::string_view model, std::string_view text);
// The key layout version, kept in meta: a data directory written with another layout is
// refused at open rather than misread.
inline constexpr std::string_view kLayoutKey = "layout";
// Layout 2 (queue keys without stage and app) is converted to 3 at open.
inline constexpr std::string_view kLayoutVersion = "3";

}  // namespace llmtap::collector::keys

#endif  // LLMTAP_COLLECTOR_STORE_KEYS_H_

// Python wrapper of llmtap::Client: converts arguments, releases the GIL around every call
// into the SDK, and turns a non-OK Status into an exception. The SDK's threads never call
// Python, so no callback can run on them.
#include <chrono>
#include <cmath>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <pybind11/chrono.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include "bindings.h"
#include "errors.h"
#include "py_time.h"
#include "llmtap/client.h"
#include "llmtap/options.h"
#include "llmtap/sample.h"

namespace py = pybind11;

namespace llmtap::python {
namespace {

using Millis = std::chrono::milliseconds;

// Non-negative seconds (float, int or timedelta through pybind11/chrono) as milliseconds.
Millis Timeout(double seconds) {
  if (!(seconds >= 0) || !std::isfinite(seconds)) {
    RaiseStatus(Status(StatusCode::kInvalidArgument, "timeout_s must be a finite number >= 0"));
  }
  return Millis(static_cast<int64_t>(std::llround(seconds * 1000)));
}

// None (the SDK fills in now), Unix seconds or a datetime.
std::chrono::system_clock::time_point StartTime(const py::object& value) {
  if (value.is_none()) return {};
  int64_t nanos = 0;
  if (!ToUnixNanos(value, &nanos)) {
    RaiseStatus(Status(StatusCode::kInvalidArgument,
                       "start_time must be a datetime or Unix seconds"));
  }
  if (nanos <= 0) {
    RaiseStatus(Status(StatusCode::kInvalidArgument, "start_time must be after the epoch"));
  }
  return std::chrono::system_clock::time_point(
      std::chrono::duration_cast<std::chrono::system_clock::duration>(
          std::chrono::nanoseconds(nanos)));
}

class PyClient {
 public:
  explicit PyClient(std::unique_ptr<Client> client) : client_(std::move(client)) {}

  void Record(Sample sample) {
    py::gil_scoped_release unlocked;
    client_->Record(std::move(sample));
  }

  void Flush(double timeout_s) {
    Millis timeout = Timeout(timeout_s);
    Status s;
    {
      py::gil_scoped_release unlocked;
      s = client_->Flush(timeout);
    }
    if (!s.ok()) RaiseStatus(s);
  }

  void Shutdown(double timeout_s) {
    Millis timeout = Timeout(timeout_s);
    Status s;
    {
      py::gil_scoped_release unlocked;
      s = client_->Shutdown(timeout);
    }
    if (!s.ok()) RaiseStatus(s);
  }

  py::dict Stats() const {
    ClientStats s;
    {
      py::gil_scoped_release unlocked;
      s = client_->Stats();
    }
    py::dict d;
    d["recorded"] = s.recorded;
    d["sampled_out"] = s.sampled_out;
    d["dropped"] = s.dropped;
    d["sent"] = s.sent;
    d["acked"] = s.acked;
    d["retried"] = s.retried;
    d["rejected"] = s.rejected;
    d["pending"] = s.pending;
    d["pending_bytes"] = s.pending_bytes;
    d["reconnects"] = s.reconnects;
    return d;
  }

  ~PyClient() {
    // The SDK's destructor joins its threads; they never take the GIL, but the app's other
    // Python threads should not wait on that join.
    py::gil_scoped_release unlocked;
    client_.reset();
  }

 private:
  std::unique_ptr<Client> client_;
};

std::unique_ptr<PyClient> MakeClient(
    bool from_env, std::optional<std::string> collector_address, std::optional<std::string> app,
    std::optional<size_t> max_buffer_bytes, std::optional<size_t> max_batch_samples,
    std::optional<size_t> max_batch_bytes, std::optional<Millis> linger,
    std::optional<size_t> max_inflight_batches, std::optional<double> sample_rate,
    std::optional<RedactionOptions> redaction, std::optional<Millis> initial_backoff,
    std::optional<Millis> max_backoff, std::optional<Millis> stats_interval) {
  ClientOptions o;
  if (from_env) {
    if (Status s = ClientOptions::FromEnv(&o); !s.ok()) RaiseStatus(s);
  }
  if (collector_address) o.collector_address = *collector_address;
  if (app) o.app = *app;
  if (max_buffer_bytes) o.max_buffer_bytes = *max_buffer_bytes;
  if (max_batch_samples) o.max_batch_samples = *max_batch_samples;
  if (max_batch_bytes) o.max_batch_bytes = *max_batch_bytes;
  if (linger) o.linger = *linger;
  if (max_inflight_batches) o.max_inflight_batches = *max_inflight_batches;
  if (sample_rate) o.sample_rate = *sample_rate;
  if (redaction) o.redaction = *redaction;
  if (initial_backoff) o.initial_backoff = *initial_backoff;
  if (max_backoff) o.max_backoff = *max_backoff;
  if (stats_interval) o.stats_interval = *stats_interval;
  std::unique_ptr<Client> client;
  Status s;
  {
    py::gil_scoped_release unlocked;
    s = Client::Create(o, &client);
  }
  if (!s.ok()) RaiseStatus(s);
  return std::make_unique<PyClient>(std::move(client));
}

}  // namespace

void BindClient(py::module_& m) {
  py::class_<RedactionOptions>(m, "Redaction",
                               "Which personal data the client replaces before sending.")
      .def(py::init([](bool emails, bool phone_numbers, bool card_numbers, bool ip_addresses,
                       std::vector<std::string> custom_patterns) {
             RedactionOptions r;
             r.emails = emails;
             r.phone_numbers = phone_numbers;
             r.card_numbers = card_numbers;
             r.ip_addresses = ip_addresses;
             r.custom_patterns = std::move(custom_patterns);
             return r;
           }),
           py::kw_only(), py::arg("emails") = false, py::arg("phone_numbers") = false,
           py::arg("card_numbers") = false, py::arg("ip_addresses") = false,
           py::arg("custom_patterns") = std::vector<std::string>{})
      .def_readwrite("emails", &RedactionOptions::emails)
      .def_readwrite("phone_numbers", &RedactionOptions::phone_numbers)
      .def_readwrite("card_numbers", &RedactionOptions::card_numbers)
      .def_readwrite("ip_addresses", &RedactionOptions::ip_addresses)
      .def_readwrite("custom_patterns", &RedactionOptions::custom_patterns)
      .def("__repr__", [](const RedactionOptions& r) {
        return py::str("Redaction(emails={}, phone_numbers={}, card_numbers={}, "
                       "ip_addresses={}, custom_patterns={!r})")
            .format(r.emails, r.phone_numbers, r.card_numbers, r.ip_addresses,
                    r.custom_patterns);
      });

  py::class_<PyClient>(m, "Client", "Records LLM calls and delivers them to llmtapd.")
      .def(py::init(&MakeClient), py::kw_only(), py::arg("from_env") = false,
           py::arg("collector_address") = py::none(), py::arg("app") = py::none(),
           py::arg("max_buffer_bytes") = py::none(), py::arg("max_batch_samples") = py::none(),
           py::arg("max_batch_bytes") = py::none(), py::arg("linger") = py::none(),
           py::arg("max_inflight_batches") = py::none(), py::arg("sample_rate") = py::none(),
           py::arg("redaction") = py::none(), py::arg("initial_backoff") = py::none(),
           py::arg("max_backoff") = py::none(), py::arg("stats_interval") = py::none())
      .def(
          "record",
          [](PyClient& self, std::string id, std::string app, std::string session_id,
             std::string model, std::string prompt_version, std::string variant,
             std::string pair_id, std::string prompt, std::string response,
             std::vector<std::string> contexts, std::string reference, py::object start_time,
             double latency_ms, double time_to_first_token_ms, int64_t input_tokens,
             int64_t output_tokens, std::optional<bool> ok, std::string error,
             std::map<std::string, std::string> metadata, double cost_usd) {
            Sample s;
            s.id = std::move(id);
            s.app = std::move(app);
            s.session_id = std::move(session_id);
            s.model = std::move(model);
            s.prompt_version = std::move(prompt_version);
            s.variant = std::move(variant);
            s.pair_id = std::move(pair_id);
            s.prompt = std::move(prompt);
            s.response = std::move(response);
            s.contexts = std::move(contexts);
            s.reference = std::move(reference);
            s.start_time = StartTime(start_time);
            s.latency_ms = latency_ms;
            s.time_to_first_token_ms = time_to_first_token_ms;
            s.input_tokens = input_tokens;
            s.output_tokens = output_tokens;
            s.ok = ok.value_or(error.empty());
            s.error = std::move(error);
            s.metadata = std::move(metadata);
            s.cost_usd = cost_usd;
            self.Record(std::move(s));
          },
          py::kw_only(), py::arg("id") = "", py::arg("app") = "", py::arg("session_id") = "",
          py::arg("model") = "", py::arg("prompt_version") = "", py::arg("variant") = "",
          py::arg("pair_id") = "", py::arg("prompt") = "", py::arg("response") = "",
          py::arg("contexts") = std::vector<std::string>{}, py::arg("reference") = "",
          py::arg("start_time") = py::none(), py::arg("latency_ms") = 0.0,
          py::arg("time_to_first_token_ms") = 0.0, py::arg("input_tokens") = 0,
          py::arg("output_tokens") = 0, py::arg("ok") = py::none(), py::arg("error") = "",
          py::arg("metadata") = std::map<std::string, std::string>{},
          py::arg("cost_usd") = 0.0)
      .def("flush", &PyClient::Flush, py::arg("timeout_s") = 5.0)
      .def("shutdown", &PyClient::Shutdown, py::arg("timeout_s") = 5.0)
      .def("stats", &PyClient::Stats);

  m.def("new_sample_id", &NewSampleId, "A new time-ordered sample id (32 lowercase hex).");
}

}  // namespace llmtap::python

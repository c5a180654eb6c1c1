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
#include "record_args.h"
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

class PyClient {
 public:
  explicit PyClient(std::unique_ptr<Client> client) : client_(std::move(client)) {}

  // Keeps the GIL: Record() never blocks (at most a short internal lock that no thread
  // holding the GIL ever waits for, since the SDK's threads never take it), and releasing and
  // taking the GIL back would cost more than the call.
  void Record(Sample sample) { client_->Record(std::move(sample)); }

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
    std::optional<std::string> api_key, std::optional<bool> tls, std::optional<std::string> ca_file,
    std::optional<std::string> server_name,
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
  if (api_key) o.api_key = *api_key;
  if (tls) o.tls = *tls;
  if (ca_file) o.tls_ca_file = *ca_file;
  if (server_name) o.tls_server_name = *server_name;
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

// Client.record(**fields) as a METH_FASTCALL method: see record_args.h for why.
PyObject* RecordMethod(PyObject* self, PyObject* const* args, Py_ssize_t nargs,
                       PyObject* kwnames) {
  PyClient* client;
  try {
    client = py::handle(self).cast<PyClient*>();
  } catch (py::cast_error&) {
    PyErr_SetString(PyExc_TypeError, "record() needs an llmtap Client");
    return nullptr;
  }
  Sample sample;
  if (!ParseRecordArgs(args, nargs, kwnames, &sample)) return nullptr;
  client->Record(std::move(sample));
  Py_RETURN_NONE;
}

PyMethodDef record_def = {
    "record", reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)()>(&RecordMethod)),
    METH_FASTCALL | METH_KEYWORDS,
    "record(*, id='', app='', session_id='', model='', prompt_version='', variant='', "
    "pair_id='', prompt='', response='', contexts=(), reference='', start_time=None, "
    "latency_ms=0.0, time_to_first_token_ms=0.0, input_tokens=0, output_tokens=0, ok=None, "
    "error='', metadata={}, cost_usd=0.0, start_time_unix_nano=0)\n--\n\n"
    "Hands one sample to the background sender and returns at once. Empty id/app/start_time "
    "are filled in (start_time: Unix seconds or a datetime; now when None). ok defaults to "
    "not error."};

void AddRecordMethod(py::class_<PyClient>& cls) {
  InitRecordArgs();
  PyObject* descr =
      PyDescr_NewMethod(reinterpret_cast<PyTypeObject*>(cls.ptr()), &record_def);
  if (descr == nullptr) throw py::error_already_set();
  cls.attr("record") = py::reinterpret_steal<py::object>(descr);
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

  py::class_<PyClient> client(m, "Client", "Records LLM calls and delivers them to llmtapd.");
  client
      .def(py::init(&MakeClient), py::kw_only(), py::arg("from_env") = false,
           py::arg("collector_address") = py::none(), py::arg("app") = py::none(),
           py::arg("api_key") = py::none(), py::arg("tls") = py::none(),
           py::arg("ca_file") = py::none(), py::arg("server_name") = py::none(),
           py::arg("max_buffer_bytes") = py::none(), py::arg("max_batch_samples") = py::none(),
           py::arg("max_batch_bytes") = py::none(), py::arg("linger") = py::none(),
           py::arg("max_inflight_batches") = py::none(), py::arg("sample_rate") = py::none(),
           py::arg("redaction") = py::none(), py::arg("initial_backoff") = py::none(),
           py::arg("max_backoff") = py::none(), py::arg("stats_interval") = py::none())
      .def("flush", &PyClient::Flush, py::arg("timeout_s") = 5.0)
      .def("shutdown", &PyClient::Shutdown, py::arg("timeout_s") = 5.0)
      .def("stats", &PyClient::Stats);
  AddRecordMethod(client);

  m.def("new_sample_id", &NewSampleId, "A new time-ordered sample id (32 lowercase hex).");
}

}  // namespace llmtap::python

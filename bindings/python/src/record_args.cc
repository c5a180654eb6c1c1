#include "record_args.h"

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <pybind11/pybind11.h>

#include "errors.h"
#include "py_time.h"

namespace py = pybind11;

namespace llmtap::python {
namespace {

enum Field {
  kId, kApp, kSessionId, kModel, kPromptVersion, kVariant, kPairId, kPrompt, kResponse,
  kContexts, kReference, kStartTime, kLatencyMs, kTtftMs, kInputTokens, kOutputTokens, kOk,
  kError, kMetadata, kCostUsd, kStartTimeUnixNano, kFieldCount
};

constexpr const char* kNames[kFieldCount] = {
    "id", "app", "session_id", "model", "prompt_version", "variant", "pair_id", "prompt",
    "response", "contexts", "reference", "start_time", "latency_ms", "time_to_first_token_ms",
    "input_tokens", "output_tokens", "ok", "error", "metadata", "cost_usd",
    "start_time_unix_nano"};

// Interned names; owned for the life of the process.
PyObject* interned[kFieldCount];

bool Fail(PyObject* type, const char* name, const char* want) {
  PyErr_Format(type, "record(): %s must be %s", name, want);
  return false;
}

bool ToString(PyObject* value, const char* name, std::string* out) {
  Py_ssize_t size;
  const char* data = PyUnicode_Check(value) ? PyUnicode_AsUTF8AndSize(value, &size) : nullptr;
  if (data == nullptr) {
    if (!PyErr_Occurred()) Fail(PyExc_TypeError, name, "a str");
    return false;
  }
  out->assign(data, static_cast<size_t>(size));
  return true;
}

bool ToDouble(PyObject* value, const char* name, double* out) {
  if (PyFloat_CheckExact(value)) {
    *out = PyFloat_AS_DOUBLE(value);
    return true;
  }
  if (PyBool_Check(value) || !(PyFloat_Check(value) || PyLong_Check(value))) {
    return Fail(PyExc_TypeError, name, "a float or int");
  }
  *out = PyFloat_AsDouble(value);
  return !PyErr_Occurred();
}

bool ToInt64(PyObject* value, const char* name, int64_t* out) {
  if (PyBool_Check(value) || !PyLong_Check(value)) return Fail(PyExc_TypeError, name, "an int");
  *out = PyLong_AsLongLong(value);
  return !PyErr_Occurred();
}

bool ToStrings(PyObject* value, const char* name, std::vector<std::string>* out) {
  if (PyUnicode_Check(value)) return Fail(PyExc_TypeError, name, "a sequence of str, not a str");
  PyObject* seq = PySequence_Fast(value, "");
  if (seq == nullptr) {
    PyErr_Clear();
    return Fail(PyExc_TypeError, name, "a sequence of str");
  }
  const Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
  PyObject** items = PySequence_Fast_ITEMS(seq);
  out->resize(static_cast<size_t>(n));
  bool ok = true;
  for (Py_ssize_t i = 0; ok && i < n; ++i) ok = ToString(items[i], name, &(*out)[i]);
  Py_DECREF(seq);
  return ok;
}

bool ToStringMap(PyObject* value, const char* name, std::map<std::string, std::string>* out) {
  std::string k, v;
  if (PyDict_Check(value)) {
    PyObject *key, *val;
    Py_ssize_t pos = 0;
    while (PyDict_Next(value, &pos, &key, &val)) {
      if (!ToString(key, name, &k) || !ToString(val, name, &v)) return false;
      out->insert_or_assign(std::move(k), std::move(v));
    }
    return true;
  }
  if (!PyMapping_Check(value) || PyUnicode_Check(value) || PySequence_Check(value)) {
    return Fail(PyExc_TypeError, name, "a mapping of str to str");
  }
  PyObject* items = PyMapping_Items(value);
  if (items == nullptr) return false;
  bool ok = true;
  for (Py_ssize_t i = 0; ok && i < PyList_GET_SIZE(items); ++i) {
    PyObject* pair = PyList_GET_ITEM(items, i);
    ok = PyTuple_Check(pair) && PyTuple_GET_SIZE(pair) == 2 &&
         ToString(PyTuple_GET_ITEM(pair, 0), name, &k) &&
         ToString(PyTuple_GET_ITEM(pair, 1), name, &v);
    if (ok) out->insert_or_assign(std::move(k), std::move(v));
  }
  Py_DECREF(items);
  return ok;
}

bool ToStartTime(PyObject* value, std::chrono::system_clock::time_point* out) {
  if (value == Py_None) return true;
  int64_t nanos = 0;
  bool ok;
  try {
    ok = ToUnixNanos(py::handle(value), &nanos);
  } catch (py::error_already_set& e) {
    e.restore();
    return false;
  }
  if (!ok || nanos <= 0) {
    try {
      RaiseStatus(Status(StatusCode::kInvalidArgument,
                         ok ? "start_time must be after the epoch"
                            : "start_time must be a datetime or Unix seconds"));
    } catch (py::error_already_set& e) {
      e.restore();
    }
    return false;
  }
  *out = std::chrono::system_clock::time_point(
      std::chrono::duration_cast<std::chrono::system_clock::duration>(
          std::chrono::nanoseconds(nanos)));
  return true;
}

int FieldOf(PyObject* name) {
  for (int f = 0; f < kFieldCount; ++f) {
    if (interned[f] == name) return f;
  }
  // A name built at run time (e.g. **kwargs from a dict with computed keys).
  for (int f = 0; f < kFieldCount; ++f) {
    if (PyUnicode_Compare(interned[f], name) == 0) return f;
  }
  return -1;
}

bool SetField(int field, PyObject* value, Sample* s, PyObject** ok_value) {
  const char* name = kNames[field];
  switch (field) {
    case kId: return ToString(value, name, &s->id);
    case kApp: return ToString(value, name, &s->app);
    case kSessionId: return ToString(value, name, &s->session_id);
    case kModel: return ToString(value, name, &s->model);
    case kPromptVersion: return ToString(value, name, &s->prompt_version);
    case kVariant: return ToString(value, name, &s->variant);
    case kPairId: return ToString(value, name, &s->pair_id);
    case kPrompt: return ToString(value, name, &s->prompt);
    case kResponse: return ToString(value, name, &s->response);
    case kContexts:
      return value == Py_None || ToStrings(value, name, &s->contexts);
    case kReference: return ToString(value, name, &s->reference);
    case kStartTime: return ToStartTime(value, &s->start_time);
    case kLatencyMs: return ToDouble(value, name, &s->latency_ms);
    case kTtftMs: return ToDouble(value, name, &s->time_to_first_token_ms);
    case kInputTokens: return ToInt64(value, name, &s->input_tokens);
    case kOutputTokens: return ToInt64(value, name, &s->output_tokens);
    case kOk:
      if (value != Py_None && !PyBool_Check(value)) return Fail(PyExc_TypeError, name, "a bool");
      *ok_value = value;
      return true;
    case kError: return ToString(value, name, &s->error);
    case kMetadata:
      return value == Py_None || ToStringMap(value, name, &s->metadata);
    case kCostUsd: return ToDouble(value, name, &s->cost_usd);
    case kStartTimeUnixNano: {
      int64_t nanos = 0;
      if (!ToInt64(value, name, &nanos)) return false;
      if (nanos < 0) return Fail(PyExc_ValueError, name, ">= 0 (0: now)");
      s->start_time = std::chrono::system_clock::time_point(
          std::chrono::duration_cast<std::chrono::system_clock::duration>(
              std::chrono::nanoseconds(nanos)));
      return true;
    }
  }
  return false;
}

}  // namespace

void InitRecordArgs() {
  for (int f = 0; f < kFieldCount; ++f) {
    interned[f] = PyUnicode_InternFromString(kNames[f]);
    if (interned[f] == nullptr) throw py::error_already_set();
  }
}

bool ParseRecordArgs(PyObject* const* args, Py_ssize_t nargs, PyObject* kwnames,
                     Sample* sample) {
  const Py_ssize_t positional = PyVectorcall_NARGS(nargs);
  if (positional != 0) {
    PyErr_SetString(PyExc_TypeError, "record() takes keyword arguments only");
    return false;
  }
  PyObject* ok_value = Py_None;
  const Py_ssize_t n = kwnames == nullptr ? 0 : PyTuple_GET_SIZE(kwnames);
  for (Py_ssize_t i = 0; i < n; ++i) {
    PyObject* name = PyTuple_GET_ITEM(kwnames, i);
    const int field = FieldOf(name);
    if (field < 0) {
      PyErr_Format(PyExc_TypeError, "record() got an unexpected keyword argument '%U'", name);
      return false;
    }
    if (!SetField(field, args[positional + i], sample, &ok_value)) return false;
  }
  sample->ok = ok_value == Py_None ? sample->error.empty() : ok_value == Py_True;
  return true;
}

}  // namespace llmtap::python

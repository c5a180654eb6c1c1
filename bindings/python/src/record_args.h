// The keyword arguments of Client.record() as an llmtap::Sample, read straight from a
// vectorcall (METH_FASTCALL | METH_KEYWORDS) argument array.
//
// record() is the hot path of the binding: an app calls it once per LLM call, on its own
// thread. pybind11's generic dispatch builds every one of the 20 parameters with its default
// before converting the few that were passed, and that cost 1-2 us a call; this reads only
// the keywords given, matching each name by pointer first (call sites pass interned names).
//
//   Sample s;
//   if (!ParseRecordArgs(args, nargs, kwnames, &s)) return nullptr;  // a TypeError is set
//
// Conversions: str fields take str; latency_ms, time_to_first_token_ms and cost_usd take a
// float or int; input_tokens / output_tokens an int; ok a bool or None (None: ok unless
// error is set); contexts any sequence of str; metadata any mapping of str to str;
// start_time None (the SDK fills in now), Unix seconds, or a datetime; or, exactly,
// start_time_unix_nano (an int; 0 means now).
// REQUIRES: the GIL.
#ifndef LLMTAP_BINDINGS_PYTHON_RECORD_ARGS_H_
#define LLMTAP_BINDINGS_PYTHON_RECORD_ARGS_H_

#include <Python.h>

#include "llmtap/sample.h"

namespace llmtap::python {

// Interns the keyword names. Call once, at import, before ParseRecordArgs.
void InitRecordArgs();

// Fills *sample from the call's arguments. On a positional argument, an unknown keyword or a
// value of the wrong type, sets a Python TypeError (ValueError for a bad start_time) naming
// the argument and returns false.
bool ParseRecordArgs(PyObject* const* args, Py_ssize_t nargs, PyObject* kwnames, Sample* sample);

}  // namespace llmtap::python

#endif  // LLMTAP_BINDINGS_PYTHON_RECORD_ARGS_H_

// Python times as Unix nanoseconds, for Sample.start_time and query time ranges.
// REQUIRES: the GIL.
#ifndef LLMTAP_BINDINGS_PYTHON_PY_TIME_H_
#define LLMTAP_BINDINGS_PYTHON_PY_TIME_H_

#include <cstdint>

#include <pybind11/pybind11.h>

namespace llmtap::python {

// `value` is Unix seconds (int or float) or a datetime (naive means local time, as in
// Python's datetime.timestamp()). Exact to the microsecond for a datetime and to the
// nanosecond for an int; a float keeps what its 53 bits hold. False for any other type or a
// non-finite number.
bool ToUnixNanos(const pybind11::handle& value, int64_t* nanos);

}  // namespace llmtap::python

#endif  // LLMTAP_BINDINGS_PYTHON_PY_TIME_H_

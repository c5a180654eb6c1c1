#include "py_time.h"

#include <cmath>

namespace py = pybind11;

namespace llmtap::python {

bool ToUnixNanos(const py::handle& value, int64_t* nanos) {
  if (py::isinstance<py::bool_>(value)) return false;
  if (py::isinstance<py::int_>(value)) {
    *nanos = value.cast<int64_t>() * 1'000'000'000;
    return true;
  }
  double seconds;
  int64_t micros = -1;
  if (py::isinstance<py::float_>(value)) {
    seconds = value.cast<double>();
  } else if (py::hasattr(value, "timestamp") && py::hasattr(value, "microsecond")) {
    seconds = value.attr("timestamp")().cast<double>();
    micros = value.attr("microsecond").cast<int64_t>();
  } else {
    return false;
  }
  if (!std::isfinite(seconds)) return false;
  // Whole seconds and the fraction apart: nanoseconds since 1970 do not fit a double exactly.
  double whole = std::floor(seconds);
  int64_t fraction_ns = micros >= 0 ? micros * 1000 : std::llround((seconds - whole) * 1e9);
  *nanos = static_cast<int64_t>(whole) * 1'000'000'000 + fraction_ns;
  return true;
}

}  // namespace llmtap::python

// llmtap._core: the C++ extension behind the llmtap package. It only converts and wraps;
// the pythonic surface (context managers, decorator) lives in llmtap/__init__.py.
#include <pybind11/pybind11.h>

#include "bindings.h"
#include "errors.h"

PYBIND11_MODULE(_core, m) {
  m.doc() = "llmtap C++ core: the SDK client and the query client.";
  llmtap::python::RegisterErrors(m);
  llmtap::python::BindClient(m);
  llmtap::python::BindQueryClient(m);
}

// The parts of the _core extension module; module.cc calls each once at import.
#ifndef LLMTAP_BINDINGS_PYTHON_BINDINGS_H_
#define LLMTAP_BINDINGS_PYTHON_BINDINGS_H_

#include <pybind11/pybind11.h>

namespace llmtap::python {

// Client, Redaction, new_sample_id.
void BindClient(pybind11::module_& module);
// QueryClient.
void BindQueryClient(pybind11::module_& module);

}  // namespace llmtap::python

#endif  // LLMTAP_BINDINGS_PYTHON_BINDINGS_H_

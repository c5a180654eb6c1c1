// ToDict: a protobuf message as plain Python values, the way the query API returns results.
//
// Field names are the proto names. Every field is present: scalars with their value (64-bit
// integers as int, not as the strings of the JSON mapping), enums as their value name (the
// number when unknown), bytes as bytes, repeated fields as lists, maps as dicts, and messages
// as dicts; an unset message field or proto3 `optional` field is None.
// REQUIRES: the GIL.
#ifndef LLMTAP_BINDINGS_PYTHON_PROTO_DICT_H_
#define LLMTAP_BINDINGS_PYTHON_PROTO_DICT_H_

#include <google/protobuf/message.h>
#include <pybind11/pybind11.h>

namespace llmtap::python {

pybind11::dict ToDict(const google::protobuf::Message& message);

}  // namespace llmtap::python

#endif  // LLMTAP_BINDINGS_PYTHON_PROTO_DICT_H_

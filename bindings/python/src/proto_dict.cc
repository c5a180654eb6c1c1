#include "proto_dict.h"

#include <google/protobuf/descriptor.h>

namespace py = pybind11;
namespace pb = google::protobuf;

namespace llmtap::python {
namespace {

py::object EnumValue(const pb::FieldDescriptor* field, int number) {
  const pb::EnumValueDescriptor* value = field->enum_type()->FindValueByNumber(number);
  if (value == nullptr) return py::int_(number);
  return py::str(value->name());
}

// One element of a repeated field (index >= 0) or a singular field (index < 0).
py::object FieldValue(const pb::Message& m, const pb::FieldDescriptor* f, int index) {
  const pb::Reflection* r = m.GetReflection();
  const bool rep = index >= 0;
  switch (f->cpp_type()) {
    case pb::FieldDescriptor::CPPTYPE_INT32:
      return py::int_(rep ? r->GetRepeatedInt32(m, f, index) : r->GetInt32(m, f));
    case pb::FieldDescriptor::CPPTYPE_INT64:
      return py::int_(rep ? r->GetRepeatedInt64(m, f, index) : r->GetInt64(m, f));
    case pb::FieldDescriptor::CPPTYPE_UINT32:
      return py::int_(rep ? r->GetRepeatedUInt32(m, f, index) : r->GetUInt32(m, f));
    case pb::FieldDescriptor::CPPTYPE_UINT64:
      return py::int_(rep ? r->GetRepeatedUInt64(m, f, index) : r->GetUInt64(m, f));
    case pb::FieldDescriptor::CPPTYPE_DOUBLE:
      return py::float_(rep ? r->GetRepeatedDouble(m, f, index) : r->GetDouble(m, f));
    case pb::FieldDescriptor::CPPTYPE_FLOAT:
      return py::float_(rep ? r->GetRepeatedFloat(m, f, index) : r->GetFloat(m, f));
    case pb::FieldDescriptor::CPPTYPE_BOOL:
      return py::bool_(rep ? r->GetRepeatedBool(m, f, index) : r->GetBool(m, f));
    case pb::FieldDescriptor::CPPTYPE_ENUM:
      return EnumValue(f, rep ? r->GetRepeatedEnumValue(m, f, index) : r->GetEnumValue(m, f));
    case pb::FieldDescriptor::CPPTYPE_STRING: {
      std::string s = rep ? r->GetRepeatedString(m, f, index) : r->GetString(m, f);
      if (f->type() == pb::FieldDescriptor::TYPE_BYTES) return py::bytes(s);
      // Invalid UTF-8 cannot come from a conforming server; replace rather than fail a query.
      PyObject* text = PyUnicode_DecodeUTF8(s.data(), static_cast<Py_ssize_t>(s.size()), "replace");
      if (text == nullptr) throw py::error_already_set();
      return py::reinterpret_steal<py::str>(text);
    }
    case pb::FieldDescriptor::CPPTYPE_MESSAGE:
      return ToDict(rep ? r->GetRepeatedMessage(m, f, index) : r->GetMessage(m, f));
  }
  return py::none();
}

}  // namespace

py::dict ToDict(const pb::Message& message) {
  py::dict out;
  const pb::Descriptor* d = message.GetDescriptor();
  const pb::Reflection* r = message.GetReflection();
  for (int i = 0; i < d->field_count(); ++i) {
    const pb::FieldDescriptor* f = d->field(i);
    py::str name(f->name());
    if (f->is_map()) {
      const pb::FieldDescriptor* key = f->message_type()->map_key();
      const pb::FieldDescriptor* value = f->message_type()->map_value();
      py::dict map;
      for (int j = 0; j < r->FieldSize(message, f); ++j) {
        const pb::Message& entry = r->GetRepeatedMessage(message, f, j);
        map[FieldValue(entry, key, -1)] = FieldValue(entry, value, -1);
      }
      out[name] = std::move(map);
    } else if (f->is_repeated()) {
      py::list list;
      for (int j = 0; j < r->FieldSize(message, f); ++j) list.append(FieldValue(message, f, j));
      out[name] = std::move(list);
    } else if (f->has_presence() && !r->HasField(message, f)) {
      out[name] = py::none();
    } else {
      out[name] = FieldValue(message, f, -1);
    }
  }
  return out;
}

}  // namespace llmtap::python

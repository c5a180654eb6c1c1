#include "collector/scoring/scorers/json_schema.h"

#include <array>
#include <cmath>

#include "collector/common/strings.h"

namespace llmtap::collector {
namespace {

using nlohmann::json;

constexpr auto kTypes = std::to_array<std::string_view>(
    {"null", "boolean", "object", "array", "number", "string", "integer"});
constexpr auto kAnnotations = std::to_array<std::string_view>(
    {"$schema", "$id", "$comment", "title", "description", "default", "examples"});

template <size_t N>
bool Contains(const std::array<std::string_view, N>& list, std::string_view s) {
  for (std::string_view x : list) {
    if (x == s) return true;
  }
  return false;
}

std::string Dump(const json& value) {
  std::string s = value.dump(-1, ' ', false, json::error_handler_t::replace);
  if (s.size() > 60) s = Cat(s.substr(0, 57), "...");
  return s;
}

// RFC 6901 escaping of one pointer token.
std::string PointerToken(std::string_view key) {
  std::string out;
  for (char c : key) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

absl::Status SchemaError(std::string_view pointer, std::string_view message) {
  return absl::InvalidArgumentError(Cat(pointer.empty() ? "/" : pointer, ": ", message));
}

absl::Status CheckSchema(const json& schema, const std::string& pointer, int depth) {
  if (depth > JsonSchema::kMaxDepth) {
    return SchemaError(pointer, Cat("schemas nested deeper than ", JsonSchema::kMaxDepth));
  }
  if (schema.is_boolean()) return absl::OkStatus();
  if (!schema.is_object()) return SchemaError(pointer, "a schema must be an object or a boolean");
  for (const auto& [key, value] : schema.items()) {
    const std::string here = Cat(pointer, "/", PointerToken(key));
    if (key == "type") {
      if (value.is_string()) {
        if (!Contains(kTypes, value.get<std::string>())) {
          return SchemaError(here, Cat("unknown type '", value.get<std::string>(), "'"));
        }
      } else if (value.is_array() && !value.empty()) {
        for (size_t i = 0; i < value.size(); ++i) {
          if (!value[i].is_string() || !Contains(kTypes, value[i].get<std::string>())) {
            return SchemaError(Cat(here, "/", i), Cat("unknown type ", Dump(value[i])));
          }
        }
      } else {
        return SchemaError(here, "must be a type name or a non-empty array of them");
      }
    } else if (key == "properties") {
      if (!value.is_object()) return SchemaError(here, "must be an object of schemas");
      for (const auto& [name, sub] : value.items()) {
        if (absl::Status s = CheckSchema(sub, Cat(here, "/", PointerToken(name)), depth + 1);
            !s.ok()) {
          return s;
        }
      }
    } else if (key == "required") {
      if (!value.is_array()) return SchemaError(here, "must be an array of strings");
      for (size_t i = 0; i < value.size(); ++i) {
        if (!value[i].is_string()) return SchemaError(Cat(here, "/", i), "must be a string");
      }
    } else if (key == "enum") {
      if (!value.is_array()) return SchemaError(here, "must be an array");
    } else if (key == "items") {
      if (value.is_array()) {
        return SchemaError(here, "tuple form (an array of schemas) is not supported");
      }
      if (absl::Status s = CheckSchema(value, here, depth + 1); !s.ok()) return s;
    } else if (!Contains(kAnnotations, key)) {
      return SchemaError(here,
                         "unsupported keyword (supported: type, properties, required, "
                         "enum, items)");
    }
  }
  return absl::OkStatus();
}

bool HasType(const json& value, std::string_view type) {
  if (type == "null") return value.is_null();
  if (type == "boolean") return value.is_boolean();
  if (type == "object") return value.is_object();
  if (type == "array") return value.is_array();
  if (type == "string") return value.is_string();
  if (type == "number") return value.is_number();
  if (type == "integer") {
    if (value.is_number_integer()) return true;
    if (!value.is_number_float()) return false;
    const double d = value.get<double>();
    return std::isfinite(d) && std::trunc(d) == d;
  }
  return false;
}

// Appends the first violation of `value` against `schema` to *out; true if there was one.
bool Violation(const json& schema, const json& value, const std::string& path, std::string* out) {
  if (schema.is_boolean()) {
    if (schema.get<bool>()) return false;
    *out = Cat(path, ": the schema allows nothing here (false)");
    return true;
  }
  if (auto it = schema.find("type"); it != schema.end()) {
    bool ok = false;
    std::string expected;
    if (it->is_string()) {
      ok = HasType(value, it->get_ref<const std::string&>());
      expected = it->get<std::string>();
    } else {
      for (const json& t : *it) {
        ok = ok || HasType(value, t.get_ref<const std::string&>());
        expected = Cat(expected, expected.empty() ? "" : " or ", t.get<std::string>());
      }
    }
    if (!ok) {
      *out = Cat(path, ": expected type ", expected, ", got ", JsonTypeName(value));
      return true;
    }
  }
  if (auto it = schema.find("enum"); it != schema.end()) {
    bool found = false;
    for (const json& option : *it) found = found || option == value;
    if (!found) {
      *out = Cat(path, ": ", Dump(value), " is not one of ", Dump(*it));
      return true;
    }
  }
  if (value.is_object()) {
    if (auto it = schema.find("required"); it != schema.end()) {
      for (const json& key : *it) {
        if (!value.contains(key.get_ref<const std::string&>())) {
          *out = Cat(path, ": missing required key '", key.get<std::string>(), "'");
          return true;
        }
      }
    }
    if (auto it = schema.find("properties"); it != schema.end()) {
      for (const auto& [name, sub] : it->items()) {
        auto member = value.find(name);
        if (member != value.end() && Violation(sub, *member, Cat(path, JsonPathKey(name)), out)) {
          return true;
        }
      }
    }
  }
  if (value.is_array()) {
    if (auto it = schema.find("items"); it != schema.end()) {
      for (size_t i = 0; i < value.size(); ++i) {
        if (Violation(*it, value[i], Cat(path, "[", i, "]"), out)) return true;
      }
    }
  }
  return false;
}

}  // namespace

absl::StatusOr<JsonSchema> JsonSchema::Parse(std::string_view text) {
  json schema = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (schema.is_discarded()) return absl::InvalidArgumentError("invalid JSON");
  if (absl::Status s = CheckSchema(schema, "", 0); !s.ok()) return s;
  return JsonSchema(std::move(schema));
}

std::string JsonSchema::FirstViolation(const json& value) const {
  std::string out;
  Violation(schema_, value, "$", &out);
  return out;
}

std::string JsonPathKey(std::string_view key) {
  bool identifier = !key.empty() && !(key[0] >= '0' && key[0] <= '9');
  for (char c : key) {
    identifier = identifier && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                                (c >= '0' && c <= '9') || c == '_');
  }
  if (identifier) return Cat(".", key);
  return Cat("[", json(std::string(key)).dump(-1, ' ', false, json::error_handler_t::replace), "]");
}

std::string_view JsonTypeName(const json& value) {
  switch (value.type()) {
    case json::value_t::null:
      return "null";
    case json::value_t::boolean:
      return "boolean";
    case json::value_t::object:
      return "object";
    case json::value_t::array:
      return "array";
    case json::value_t::string:
      return "string";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
    case json::value_t::number_float:
      return "number";
    default:
      return "invalid";
  }
}

}  // namespace llmtap::collector

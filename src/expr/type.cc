#include "expr/type.h"

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"

namespace motive::expr {

Type Type::List(Type element) {
  Type type(Kind::kList);
  type.params_ = std::make_shared<const std::vector<Type>>(
      std::vector<Type>{std::move(element)});
  return type;
}

Type Type::Optional(Type held) {
  Type type(Kind::kOptional);
  type.params_ = std::make_shared<const std::vector<Type>>(
      std::vector<Type>{std::move(held)});
  return type;
}

Type Type::Map(Type key, Type value) {
  Type type(Kind::kMap);
  type.params_ = std::make_shared<const std::vector<Type>>(
      std::vector<Type>{std::move(key), std::move(value)});
  return type;
}

Type Type::TypeOf(Type denoted) {
  Type type(Kind::kType);
  type.params_ = std::make_shared<const std::vector<Type>>(
      std::vector<Type>{std::move(denoted)});
  return type;
}

Type Type::Param(absl::string_view name) {
  Type type(Kind::kTypeParam);
  type.name_ = std::string(name);
  return type;
}

Type Type::Record(absl::string_view name,
                  std::vector<std::pair<std::string, Type>> fields, bool open) {
  Type type = Map(String(), Dyn());
  type.name_ = std::string(name);
  type.record_ = std::make_shared<const RecordFields>(
      RecordFields{std::move(fields), open});
  return type;
}

const Type* Type::FieldType(absl::string_view field) const {
  if (record_ == nullptr) return nullptr;
  for (const auto& [name, type] : record_->fields) {
    if (name == field) return &type;
  }
  return record_->open ? &value() : nullptr;
}

absl::Span<const std::pair<std::string, Type>> Type::fields() const {
  if (record_ == nullptr) return {};
  return record_->fields;
}

const Type& Type::Parameter(size_t i) const {
  // Leaked on purpose: a function-local static with a trivial lifetime.
  static const Type* const kDynType = new Type();
  if (params_ == nullptr || i >= params_->size()) return *kDynType;
  return (*params_)[i];
}

bool Type::HasValueKind() const {
  return kind_ != Kind::kDyn && kind_ != Kind::kTypeParam;
}

ValueKind Type::value_kind() const {
  switch (kind_) {
    case Kind::kNull:
      return ValueKind::kNull;
    case Kind::kBool:
      return ValueKind::kBool;
    case Kind::kInt:
      return ValueKind::kInt;
    case Kind::kUint:
      return ValueKind::kUint;
    case Kind::kDouble:
      return ValueKind::kDouble;
    case Kind::kString:
      return ValueKind::kString;
    case Kind::kBytes:
      return ValueKind::kBytes;
    case Kind::kList:
      return ValueKind::kList;
    case Kind::kMap:
      return ValueKind::kMap;
    case Kind::kTimestamp:
      return ValueKind::kTimestamp;
    case Kind::kDuration:
      return ValueKind::kDuration;
    case Kind::kType:
      return ValueKind::kType;
    case Kind::kOptional:
      return ValueKind::kOptional;
    case Kind::kError:
      return ValueKind::kError;
    case Kind::kDyn:
    case Kind::kTypeParam:
      break;
  }
  // No kind of its own (see HasValueKind): null is the least surprising.
  return ValueKind::kNull;
}

std::string Type::DebugString() const {
  switch (kind_) {
    case Kind::kDyn:
      return "dyn";
    case Kind::kList:
      return absl::StrCat("list(", element().DebugString(), ")");
    case Kind::kMap:
      if (is_record()) return name_;
      return absl::StrCat("map(", key().DebugString(), ", ",
                          value().DebugString(), ")");
    case Kind::kType:
      return absl::StrCat("type(", denoted().DebugString(), ")");
    case Kind::kOptional:
      return absl::StrCat("optional_type(", element().DebugString(), ")");
    case Kind::kTypeParam:
      return name_;
    default:
      return std::string(KindName(value_kind()));
  }
}

namespace {

size_t Arity(Type::Kind kind) {
  switch (kind) {
    case Type::Kind::kList:
    case Type::Kind::kType:
    case Type::Kind::kOptional:
      return 1;
    case Type::Kind::kMap:
      return 2;
    default:
      return 0;
  }
}

}  // namespace

bool operator==(const Type& a, const Type& b) {
  if (a.kind_ != b.kind_) return false;
  // A record is its name: two records, or a record and a plain map, are
  // told apart by it (a plain map's name is empty).
  if (a.name_ != b.name_) return false;
  if (a.kind_ == Type::Kind::kTypeParam) return true;
  size_t arity = Arity(a.kind_);
  for (size_t i = 0; i < arity; ++i) {
    if (a.Parameter(i) != b.Parameter(i)) return false;
  }
  return true;
}

Type TypeOfKind(ValueKind kind) {
  switch (kind) {
    case ValueKind::kNull:
      return Type::Null();
    case ValueKind::kBool:
      return Type::Bool();
    case ValueKind::kInt:
      return Type::Int();
    case ValueKind::kUint:
      return Type::Uint();
    case ValueKind::kDouble:
      return Type::Double();
    case ValueKind::kString:
      return Type::String();
    case ValueKind::kBytes:
      return Type::Bytes();
    case ValueKind::kList:
      return Type::List(Type::Dyn());
    case ValueKind::kMap:
      return Type::Map(Type::Dyn(), Type::Dyn());
    case ValueKind::kTimestamp:
      return Type::Timestamp();
    case ValueKind::kDuration:
      return Type::Duration();
    case ValueKind::kType:
      return Type::TypeOf(Type::Dyn());
    case ValueKind::kOptional:
      return Type::Optional(Type::Dyn());
    case ValueKind::kError:
      return Type::Error();
  }
  return Type::Dyn();
}

}  // namespace motive::expr

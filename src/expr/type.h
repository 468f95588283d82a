// Type: a CEL type as the checker sees it, before anything runs.
//
// Besides the kinds values have (value.h), the checker knows `dyn` (any type,
// checked at run time), type parameters (the A in `size(list(A)) -> int`,
// used in overload signatures) and `error`. Parameterised types carry their
// parameters: list(int), map(string, dyn), type(int).
//
// A record is a map(string, dyn) whose fields are declared with their own
// types (the customer's context: strikes is an int, stage a string): the
// checker types `customer.strikes` as int and refuses an undeclared field,
// while at run time it is an ordinary map. An open record types its
// undeclared fields as dyn instead of refusing them (metrics a ruleset does
// not declare may come from the engine's configuration).
//
// Immutable and cheap to copy (parameters are shared). Compile time only:
// nothing on the evaluation path builds or compares Types.

#ifndef MOTIVE_EXPR_TYPE_H_
#define MOTIVE_EXPR_TYPE_H_

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "expr/value.h"

namespace motive::expr {

class Type {
 public:
  enum class Kind : uint8_t {
    kDyn,
    kNull,
    kBool,
    kInt,
    kUint,
    kDouble,
    kString,
    kBytes,
    kList,       // one parameter: the element type
    kMap,        // two: key and value types
    kTimestamp,
    kDuration,
    kType,       // one: the type it denotes (type(int)), or dyn
    kOptional,   // one: the type of the value it may hold
    kTypeParam,  // a named parameter of an overload signature
    kError,
  };

  // dyn.
  Type() : kind_(Kind::kDyn) {}

  static Type Dyn() { return Type(Kind::kDyn); }
  static Type Null() { return Type(Kind::kNull); }
  static Type Bool() { return Type(Kind::kBool); }
  static Type Int() { return Type(Kind::kInt); }
  static Type Uint() { return Type(Kind::kUint); }
  static Type Double() { return Type(Kind::kDouble); }
  static Type String() { return Type(Kind::kString); }
  static Type Bytes() { return Type(Kind::kBytes); }
  static Type Timestamp() { return Type(Kind::kTimestamp); }
  static Type Duration() { return Type(Kind::kDuration); }
  static Type Error() { return Type(Kind::kError); }
  static Type List(Type element);
  // optional_type(T).
  static Type Optional(Type held);
  static Type Map(Type key, Type value);
  // The type of a type value: type(int) for `int`; TypeOf(Dyn()) for any.
  static Type TypeOf(Type type);
  static Type Param(absl::string_view name);
  // A record named `name` (as errors show it) with the given fields.
  static Type Record(absl::string_view name,
                     std::vector<std::pair<std::string, Type>> fields,
                     bool open = false);

  Kind kind() const { return kind_; }
  bool is_dyn() const { return kind_ == Kind::kDyn; }

  // kList and kOptional: the element type. kMap: key() and value(). kType:
  // the denoted type. Others: dyn.
  const Type& element() const { return Parameter(0); }
  const Type& key() const { return Parameter(0); }
  const Type& value() const { return Parameter(1); }
  const Type& denoted() const { return Parameter(0); }
  // kTypeParam: its name.
  const std::string& param_name() const { return name_; }

  // Whether this is a record (then kind() is kMap).
  bool is_record() const { return record_ != nullptr; }
  // A record's type of `field`: the declared one, dyn for an undeclared
  // field of an open record, null for one of a closed record. Null for
  // anything but a record.
  const Type* FieldType(absl::string_view field) const;
  // A record's declared fields, in the order given to Record; none for
  // anything but a record.
  absl::Span<const std::pair<std::string, Type>> fields() const;

  // The value kind of this type at run time, for kinds that have one.
  bool HasValueKind() const;
  ValueKind value_kind() const;

  // "int", "list(string)", "map(string, dyn)", "type(int)", "A".
  std::string DebugString() const;

  friend bool operator==(const Type& a, const Type& b);
  friend bool operator!=(const Type& a, const Type& b) { return !(a == b); }

 private:
  explicit Type(Kind kind) : kind_(kind) {}
  const Type& Parameter(size_t i) const;

  struct RecordFields {
    std::vector<std::pair<std::string, Type>> fields;
    bool open = false;
  };

  Kind kind_;
  std::shared_ptr<const std::vector<Type>> params_;
  // kTypeParam: the parameter's name. A record: the record's name.
  std::string name_;
  std::shared_ptr<const RecordFields> record_;  // null unless a record
};

// The type of a runtime kind with dyn parameters: list -> list(dyn).
Type TypeOfKind(ValueKind kind);

}  // namespace motive::expr

#endif  // MOTIVE_EXPR_TYPE_H_

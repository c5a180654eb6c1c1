// Included ahead of every C++ file of a ThreadSanitizer build (LLMTAP_TSAN).
//
// protobuf 3.21's map_field.h gives MapFieldBase two more members when __SANITIZE_THREAD__ is
// defined, but Debian's libprotobuf is built without ThreadSanitizer: code compiled here and
// the library would disagree on the class's layout, and the library's MapFieldBase::Destruct
// crashes on a map field of a message on an arena (Sample::ArenaDtor). map_field.h is read
// here once with the macro hidden, so that it has the library's layout; its include guard
// keeps it that way. libstdc++'s configuration is read first, with the macro, so that its
// ThreadSanitizer annotations stay on.
#ifndef LLMTAP_CMAKE_TSAN_PROTOBUF_ABI_H_
#define LLMTAP_CMAKE_TSAN_PROTOBUF_ABI_H_

#include <cstddef>

#pragma push_macro("__SANITIZE_THREAD__")
#undef __SANITIZE_THREAD__
#include <google/protobuf/map_field.h>
#pragma pop_macro("__SANITIZE_THREAD__")

#endif  // LLMTAP_CMAKE_TSAN_PROTOBUF_ABI_H_

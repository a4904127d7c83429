# Run with cmake -P: INPUT, OUTPUT, FUNCTION (see embed_text.cmake).
file(READ ${INPUT} hex HEX)
string(LENGTH "${hex}" hex_length)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
# Break the array into lines of 16 bytes to keep the generated file readable by tools.
string(REGEX REPLACE "((0x[0-9a-f][0-9a-f],){16})" "\\1\n" bytes "${bytes}")
math(EXPR length "${hex_length} / 2")
file(WRITE ${OUTPUT}.tmp
"// Generated from ${INPUT} by policy/embed_text_script.cmake. Do not edit.
#include <string_view>

#include \"policy/embedded_text.hpp\"

namespace minewall::policy::embedded {
namespace {
const unsigned char kBytes[] = {
${bytes} 0x00};
}  // namespace

std::string_view ${FUNCTION}() {
    return std::string_view(reinterpret_cast<const char*>(kBytes), ${length});
}

}  // namespace minewall::policy::embedded
")
file(COPY_FILE ${OUTPUT}.tmp ${OUTPUT} ONLY_IF_DIFFERENT)
file(REMOVE ${OUTPUT}.tmp)

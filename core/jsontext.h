#pragma once

#include <string>
#include <string_view>

namespace LeadDesk::Core {

// Appends `utf8` as a quoted JSON string. Bytes that are not well-formed UTF-8 become U+FFFD, so
// the result is valid JSON whatever the input; valid text is copied unchanged apart from the
// escapes JSON requires.
void appendJsonString(std::string &out, std::string_view utf8);

} // namespace LeadDesk::Core

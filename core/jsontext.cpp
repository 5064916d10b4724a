#include "jsontext.h"

#include "utf8.h"

namespace LeadDesk::Core {

void appendJsonString(std::string &out, std::string_view utf8)
{
    const auto *s = reinterpret_cast<const unsigned char *>(utf8.data());
    const size_t size = utf8.size();
    out += '"';
    size_t i = 0;
    while (i < size) {
        const unsigned char c = s[i];
        if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
            size_t j = i + 1;
            while (j < size && s[j] >= 0x20 && s[j] < 0x80 && s[j] != '"' && s[j] != '\\')
                ++j;
            out.append(utf8.data() + i, j - i);
            i = j;
            continue;
        }
        switch (c) {
        case '"':
            out += "\\\"";
            break;
        case '\\':
            out += "\\\\";
            break;
        case '\n':
            out += "\\n";
            break;
        case '\r':
            out += "\\r";
            break;
        case '\t':
            out += "\\t";
            break;
        default:
            if (c < 0x20) {
                static constexpr char kHex[] = "0123456789abcdef";
                out += "\\u00";
                out += kHex[c >> 4];
                out += kHex[c & 0x0F];
            } else if (const int length = Utf8::sequenceLength(s, i, size); length > 0) {
                out.append(utf8.data() + i, size_t(length));
                i += size_t(length);
                continue;
            } else {
                out += "\\ufffd";
            }
        }
        ++i;
    }
    out += '"';
}

} // namespace LeadDesk::Core

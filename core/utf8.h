#pragma once

#include <cstddef>

namespace LeadDesk::Core::Utf8 {

// Length of the well-formed UTF-8 sequence starting at s[i] (i < size), or 0 when it is not one.
// RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF. QString::fromUtf8 would
// silently turn such bytes into U+FFFD, which hides a wrongly encoded file. Inline because the
// CSV reader calls it for every non-ASCII byte of a file.
inline int sequenceLength(const unsigned char *s, std::size_t i, std::size_t size)
{
    const unsigned char c = s[i];
    if (c < 0x80)
        return 1;
    int length = 0;
    unsigned char low = 0x80;
    unsigned char high = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
        length = 2;
    } else if (c == 0xE0) {
        length = 3;
        low = 0xA0;
    } else if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) {
        length = 3;
    } else if (c == 0xED) {
        length = 3;
        high = 0x9F;
    } else if (c == 0xF0) {
        length = 4;
        low = 0x90;
    } else if (c >= 0xF1 && c <= 0xF3) {
        length = 4;
    } else if (c == 0xF4) {
        length = 4;
        high = 0x8F;
    } else {
        return 0;
    }
    if (size - i < std::size_t(length) || s[i + 1] < low || s[i + 1] > high)
        return 0;
    for (int k = 2; k < length; ++k) {
        if ((s[i + std::size_t(k)] & 0xC0) != 0x80)
            return 0;
    }
    return length;
}

} // namespace LeadDesk::Core::Utf8

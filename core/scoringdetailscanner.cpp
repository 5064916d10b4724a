#include "scoringdetailscanner.h"

#include <charconv>

namespace LeadDesk::Core {

namespace {

void appendUtf8(std::string &out, char32_t code)
{
    if (code < 0x80) {
        out += char(code);
    } else if (code < 0x800) {
        out += char(0xC0 | (code >> 6));
        out += char(0x80 | (code & 0x3F));
    } else if (code < 0x10000) {
        out += char(0xE0 | (code >> 12));
        out += char(0x80 | ((code >> 6) & 0x3F));
        out += char(0x80 | (code & 0x3F));
    } else {
        out += char(0xF0 | (code >> 18));
        out += char(0x80 | ((code >> 12) & 0x3F));
        out += char(0x80 | ((code >> 6) & 0x3F));
        out += char(0x80 | (code & 0x3F));
    }
}

} // namespace

// Escapes resolved, as UTF-8; a lone surrogate becomes U+FFFD.
std::string ScoringDetailScanner::unescape(std::string_view raw)
{
    std::string out;
    out.reserve(raw.size());
    const auto hex4 = [&raw](std::size_t at) -> int {
        if (at + 4 > raw.size())
            return -1;
        int value = 0;
        const auto [end, error] = std::from_chars(raw.data() + at, raw.data() + at + 4, value, 16);
        return error == std::errc() && end == raw.data() + at + 4 ? value : -1;
    };
    for (std::size_t i = 0; i < raw.size(); ++i) {
        if (raw[i] != '\\' || i + 1 == raw.size()) {
            out += raw[i];
            continue;
        }
        const char e = raw[++i];
        switch (e) {
        case 'b':
            out += '\b';
            break;
        case 'f':
            out += '\f';
            break;
        case 'n':
            out += '\n';
            break;
        case 'r':
            out += '\r';
            break;
        case 't':
            out += '\t';
            break;
        case 'u': {
            int code = hex4(i + 1);
            if (code < 0) {
                out += "\xEF\xBF\xBD";
                break;
            }
            i += 4;
            if (code >= 0xD800 && code < 0xDC00 && i + 2 < raw.size() && raw[i + 1] == '\\'
                && raw[i + 2] == 'u') {
                const int low = hex4(i + 3);
                if (low >= 0xDC00 && low < 0xE000) {
                    code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
                    i += 6;
                }
            }
            appendUtf8(out, (code >= 0xD800 && code < 0xE000) ? 0xFFFD : char32_t(code));
            break;
        }
        default:
            out += e; // \" \\ \/
            break;
        }
    }
    return out;
}

QString ScoringDetailScanner::text(const Scalar &scalar)
{
    if (!scalar.escaped)
        return QString::fromUtf8(scalar.raw.data(), qsizetype(scalar.raw.size()));
    const std::string text = unescape(scalar.raw);
    return QString::fromUtf8(text.data(), qsizetype(text.size()));
}

std::optional<double> ScoringDetailScanner::number(std::string_view raw)
{
    double value = 0;
    const auto [end, error] = std::from_chars(raw.data(), raw.data() + raw.size(), value);
    if (error != std::errc() || end != raw.data() + raw.size())
        return std::nullopt;
    return value;
}

} // namespace LeadDesk::Core

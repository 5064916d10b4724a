#pragma once

#include <QString>

#include <cstring>
#include <optional>
#include <string>
#include <string_view>

namespace LeadDesk::Core {

// The top-level values of a lead's details (a JSON object) read straight from the stored text,
// without building a QJsonObject: the rescorer needs a few keys of each of a million leads.
// Nested objects and arrays are skipped, not checked; text that is not a JSON object reads as
// an empty one, as QJsonDocument would give it.
class ScoringDetailScanner final
{
public:
    struct Scalar
    {
        enum Type { Absent, String, Number, True, False, Other };
        Type type = Absent;
        std::string_view raw; // a string's content between its quotes, or a number's text
        bool escaped = false; // the string holds backslash escapes
    };

    explicit ScoringDetailScanner(std::string_view json)
        : m_json(json)
    {}

    // Reads the top-level keys of the object, handing each scalar to `onValue(key, scalar)`.
    // False when the text is not a JSON object (QJsonDocument would then give an empty one).
    template<typename OnValue>
    bool scan(OnValue &&onValue)
    {
        skipSpace();
        if (!take('{'))
            return false;
        skipSpace();
        if (!take('}')) {
            for (;;) {
                skipSpace();
                Scalar key;
                if (!peekIs('"') || !readString(key))
                    return false;
                skipSpace();
                if (!take(':'))
                    return false;
                skipSpace();
                Scalar value;
                if (!readValue(value))
                    return false;
                onValue(key, value);
                skipSpace();
                if (take(','))
                    continue;
                if (take('}'))
                    break;
                return false;
            }
        }
        skipSpace();
        return m_pos == m_json.size();
    }

    // A string's content with its escapes resolved; a key's text as the scan reports it.
    [[nodiscard]] static QString text(const Scalar &string);
    [[nodiscard]] static std::string unescape(std::string_view raw);
    [[nodiscard]] static std::optional<double> number(std::string_view raw);

private:
    void skipSpace()
    {
        while (m_pos < m_json.size()
               && (m_json[m_pos] == ' ' || m_json[m_pos] == '\t' || m_json[m_pos] == '\n'
                   || m_json[m_pos] == '\r'))
            ++m_pos;
    }
    bool peekIs(char c) const { return m_pos < m_json.size() && m_json[m_pos] == c; }
    bool take(char c)
    {
        if (!peekIs(c))
            return false;
        ++m_pos;
        return true;
    }
    bool takeWord(std::string_view word)
    {
        if (m_json.substr(m_pos, word.size()) != word)
            return false;
        m_pos += word.size();
        return true;
    }
    bool readString(Scalar &out)
    {
        const std::size_t start = ++m_pos; // past the opening quote
        out.type = Scalar::String;
        out.escaped = false;
        // memchr for the closing quote (long texts are the bulk of details), then a look for a
        // backslash before it that would make it part of the string.
        const char *const data = m_json.data();
        for (;;) {
            const auto *quote
                = static_cast<const char *>(std::memchr(data + m_pos, '"', m_json.size() - m_pos));
            if (!quote)
                return false;
            const std::size_t end = std::size_t(quote - data);
            const auto *backslash
                = static_cast<const char *>(std::memchr(data + m_pos, '\\', end - m_pos));
            if (!backslash) {
                out.raw = m_json.substr(start, end - start);
                m_pos = end + 1;
                return true;
            }
            out.escaped = true;
            m_pos = std::size_t(backslash - data) + 2; // past the escaped character
            if (m_pos > m_json.size())
                return false;
        }
    }
    bool skipNested()
    {
        int depth = 0;
        while (m_pos < m_json.size()) {
            const char c = m_json[m_pos];
            if (c == '"') {
                Scalar ignored;
                if (!readString(ignored))
                    return false;
                continue;
            }
            ++m_pos;
            if (c == '{' || c == '[')
                ++depth;
            else if ((c == '}' || c == ']') && --depth == 0)
                return true;
        }
        return false;
    }
    bool readValue(Scalar &out)
    {
        if (m_pos >= m_json.size())
            return false;
        const char c = m_json[m_pos];
        if (c == '"')
            return readString(out);
        if (c == '{' || c == '[') {
            out.type = Scalar::Other;
            return skipNested();
        }
        if (c == '-' || (c >= '0' && c <= '9')) {
            const std::size_t start = m_pos;
            const auto inNumber = [](char d) {
                return (d >= '0' && d <= '9') || d == '+' || d == '-' || d == '.' || d == 'e'
                       || d == 'E';
            };
            while (m_pos < m_json.size() && inNumber(m_json[m_pos]))
                ++m_pos;
            out.type = Scalar::Number;
            out.raw = m_json.substr(start, m_pos - start);
            return true;
        }
        if (takeWord("true")) {
            out.type = Scalar::True;
            return true;
        }
        if (takeWord("false")) {
            out.type = Scalar::False;
            return true;
        }
        if (takeWord("null")) {
            out.type = Scalar::Other;
            return true;
        }
        return false;
    }

    std::string_view m_json;
    std::size_t m_pos = 0;
};

} // namespace LeadDesk::Core

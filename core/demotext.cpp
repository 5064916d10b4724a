#include "demotext.h"

#include <charconv>

namespace LeadDesk::Core::Demo {

namespace {
__extension__ typedef unsigned __int128 Wide;
} // namespace

quint64 scramble(quint64 serial, quint64 modulus, quint64 multiplier, quint64 offset)
{
    return quint64((Wide(serial) * (multiplier % modulus) + offset) % modulus);
}

void appendInt(std::string &out, qint64 value)
{
    char buffer[24];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
    out.append(buffer, result.ptr);
}

void appendPadded(std::string &out, quint64 value, int width)
{
    char buffer[24];
    int n = 0;
    do {
        buffer[n++] = char('0' + value % 10);
        value /= 10;
    } while (value != 0 && n < 24);
    while (n < width && n < 24)
        buffer[n++] = '0';
    while (n > 0)
        out += buffer[--n];
}

void appendDollars(std::string &out, qint64 cents, bool withCents)
{
    out += '$';
    char digits[24];
    const auto end = std::to_chars(digits, digits + sizeof digits, cents / 100).ptr;
    const int length = int(end - digits);
    for (int i = 0; i < length; ++i) {
        if (i > 0 && (length - i) % 3 == 0)
            out += ',';
        out += digits[i];
    }
    if (withCents) {
        out += '.';
        appendPadded(out, quint64(cents % 100), 2);
    }
}

void expand(std::string &out, std::string_view tpl, const Vars &v)
{
    out.clear();
    size_t i = 0;
    while (i < tpl.size()) {
        const size_t open = tpl.find('{', i);
        const size_t close = open == std::string_view::npos ? open : tpl.find('}', open);
        if (close == std::string_view::npos) {
            out.append(tpl.substr(i));
            break;
        }
        out.append(tpl.substr(i, open - i));
        const std::string_view name = tpl.substr(open + 1, close - open - 1);
        const std::string_view *value = nullptr;
        static constexpr std::array<std::pair<std::string_view, std::string_view Vars::*>, 17>
            kNames = {{{"first", &Vars::first},
                       {"last", &Vars::last},
                       {"service", &Vars::service},
                       {"city", &Vars::city},
                       {"state", &Vars::state},
                       {"rep", &Vars::rep},
                       {"rep_username", &Vars::repUsername},
                       {"business", &Vars::business},
                       {"day", &Vars::day},
                       {"time", &Vars::time},
                       {"price", &Vars::price},
                       {"category", &Vars::category},
                       {"campaign", &Vars::campaign},
                       {"question", &Vars::question},
                       {"description", &Vars::description},
                       {"business_type", &Vars::businessType},
                       {"staff_size", &Vars::staffSize}}};
        for (const auto &[key, member] : kNames) {
            if (key == name) {
                value = &(v.*member);
                break;
            }
        }
        if (value)
            out.append(*value);
        else
            out.append(tpl.substr(open, close - open + 1));
        i = close + 1;
    }
}

} // namespace LeadDesk::Core::Demo

#pragma once

#include "jsontext.h"

#include <QtGlobal>

#include <array>
#include <cmath>
#include <random>
#include <string>
#include <string_view>
#include <vector>

// Text and random-number helpers of the demo data generator, all writing plain UTF-8 buffers.
namespace LeadDesk::Core::Demo {

using Strings = std::vector<std::string>;

// Hand-written samplers over std::mt19937_64: the std distributions differ between standard
// libraries, and a seed must give the same bytes everywhere.
class Rng
{
public:
    explicit Rng(quint64 seed)
        : m_engine(seed)
    {}
    quint64 next() { return m_engine(); }
    double uniform() { return double(next() >> 11) * 0x1.0p-53; }
    // Inclusive on both ends.
    qint64 between(qint64 low, qint64 high)
    {
        return low + qint64(next() % quint64(high - low + 1));
    }
    bool chance(double p) { return uniform() < p; }
    size_t index(size_t size) { return size_t(next() % size); }
    const std::string &pick(const Strings &values) { return values[index(values.size())]; }
    template<size_t N>
    size_t weighted(const std::array<double, N> &weights)
    {
        double total = 0;
        for (double w : weights)
            total += w;
        double x = uniform() * total;
        for (size_t i = 0; i < N; ++i) {
            if ((x -= weights[i]) < 0)
                return i;
        }
        return N - 1;
    }
    int poisson(double mean)
    {
        if (mean <= 0)
            return 0;
        if (mean > 30) // normal approximation; never used with the default options
            return std::max(
                0, int(mean
                       + std::sqrt(mean) * (uniform() + uniform() + uniform() + uniform() - 2.0)
                             * 1.7320508
                       + 0.5));
        const double limit = std::exp(-mean);
        double p = uniform();
        int k = 0;
        while (p > limit) {
            p *= uniform();
            ++k;
        }
        return k;
    }

private:
    std::mt19937_64 m_engine;
};

// A bijection of [0, modulus) for modulus = 10^k: unique, random-looking external ids from a
// serial number, with no set of used ids to keep.
quint64 scramble(quint64 serial, quint64 modulus, quint64 multiplier, quint64 offset);

void appendInt(std::string &out, qint64 value);
// Zero-padded to at least `width` digits.
void appendPadded(std::string &out, quint64 value, int width);
// "$1,250" or, with cents, "$25.00".
void appendDollars(std::string &out, qint64 cents, bool withCents);

// A flat JSON object written straight into a buffer.
class JsonObject
{
public:
    explicit JsonObject(std::string &out)
        : m_out(out)
    {
        m_out += '{';
    }
    JsonObject &key(std::string_view name)
    {
        if (!m_first)
            m_out += ',';
        m_first = false;
        appendJsonString(m_out, name);
        m_out += ':';
        return *this;
    }
    JsonObject &text(std::string_view name, std::string_view value)
    {
        key(name);
        appendJsonString(m_out, value);
        return *this;
    }
    JsonObject &number(std::string_view name, qint64 value)
    {
        key(name);
        appendInt(m_out, value);
        return *this;
    }
    JsonObject &boolean(std::string_view name, bool value)
    {
        key(name);
        m_out += value ? "true" : "false";
        return *this;
    }
    void close() { m_out += '}'; }

private:
    std::string &m_out;
    bool m_first = true;
};

struct Vars
{
    std::string_view first, last, service, city, state, rep, repUsername, business, day, time,
        price, category, campaign, question, description, businessType, staffSize;
};

// Fills the {name} fields of a template; unknown names stay as written.
void expand(std::string &out, std::string_view tpl, const Vars &v);

} // namespace LeadDesk::Core::Demo

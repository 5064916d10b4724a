#include "ids.h"

#include <QDateTime>
#include <QRandomGenerator>
#include <QUuid>

#include <array>
#include <mutex>

namespace LeadDesk::Core::Ids {

namespace {
std::mutex s_mutex;
qint64 s_lastUuidMs = -1;
quint16 s_sequence = 0; // the 12-bit rand_a field, used as a counter within one millisecond
qint64 s_lastHlc = 0;
} // namespace

QString uuidV7(qint64 unixMs)
{
    quint16 sequence = 0;
    {
        std::lock_guard lock(s_mutex);
        if (unixMs <= s_lastUuidMs) {
            unixMs = s_lastUuidMs;
            if (++s_sequence > 0x0FFF) { // counter exhausted: borrow the next millisecond
                ++unixMs;
                s_sequence = 0;
            }
        } else {
            s_sequence = quint16(QRandomGenerator::global()->bounded(0x0400)); // room to count up
        }
        s_lastUuidMs = unixMs;
        sequence = s_sequence;
    }
    std::array<quint8, 16> bytes{};
    for (int i = 0; i < 6; ++i)
        bytes[i] = quint8((quint64(unixMs) >> (40 - 8 * i)) & 0xFF);
    bytes[6] = quint8(0x70 | ((sequence >> 8) & 0x0F));
    bytes[7] = quint8(sequence & 0xFF);
    const quint64 random = QRandomGenerator::global()->generate64();
    for (int i = 8; i < 16; ++i)
        bytes[i] = quint8((random >> (8 * (15 - i))) & 0xFF);
    bytes[8] = quint8(0x80 | (bytes[8] & 0x3F)); // RFC 4122 variant
    const QByteArray raw(reinterpret_cast<const char *>(bytes.data()), int(bytes.size()));
    return QUuid::fromRfc4122(raw).toString(QUuid::WithoutBraces);
}

void formatUuidV7(char *out36, qint64 unixMs, quint64 random)
{
    std::array<quint8, 16> bytes{};
    for (int i = 0; i < 6; ++i)
        bytes[i] = quint8((quint64(unixMs) >> (40 - 8 * i)) & 0xFF);
    bytes[6] = quint8(0x70 | ((random >> 60) & 0x0F));
    bytes[7] = quint8((random >> 52) & 0xFF);
    for (int i = 8; i < 16; ++i)
        bytes[i] = quint8((random >> (8 * (15 - i))) & 0xFF);
    bytes[8] = quint8(0x80 | (bytes[8] & 0x3F)); // RFC 4122 variant
    static constexpr char kHex[] = "0123456789abcdef";
    int o = 0;
    for (int i = 0; i < 16; ++i) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            out36[o++] = '-';
        out36[o++] = kHex[bytes[i] >> 4];
        out36[o++] = kHex[bytes[i] & 0x0F];
    }
}

QString uuidV7(qint64 unixMs, quint64 random)
{
    char text[36];
    formatUuidV7(text, unixMs, random);
    return QString::fromLatin1(text, 36);
}

QString uuidV7()
{
    return uuidV7(QDateTime::currentMSecsSinceEpoch());
}

qint64 uuidV7Timestamp(const QString &uuid)
{
    const QUuid parsed(uuid);
    const QByteArray raw = parsed.toRfc4122();
    // QUuid::version() of Qt 6.4 knows versions up to 5 only: read the nibble ourselves.
    if (parsed.isNull() || (quint8(raw[6]) >> 4) != 7)
        return -1;
    qint64 ms = 0;
    for (int i = 0; i < 6; ++i)
        ms = (ms << 8) | quint8(raw[i]);
    return ms;
}

qint64 nextHlc(qint64 physicalMs)
{
    std::lock_guard lock(s_mutex);
    const qint64 candidate = physicalMs << 16;
    s_lastHlc = candidate > s_lastHlc ? candidate : s_lastHlc + 1;
    return s_lastHlc;
}

} // namespace LeadDesk::Core::Ids

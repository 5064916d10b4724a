#include "metasignature.h"
#include "testsupport.h"

#include <QTest>
#include <QUrlQuery>

using namespace LeadDesk;
using Sync::MetaSignature;

// channels.md §9.1: HMACs computed with `openssl dgst -sha256 -hmac test_app_secret` over the
// exact bytes of each fixture, trailing newline included.
class tst_MetaSignature : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void referenceVectors_data();
    void referenceVectors();
    void signMatchesVectors();
    void rejects_data();
    void rejects();
    void uppercaseHexAndPrefixAreAccepted();
    void emptySecretNeverVerifies();
    void constantTimeEquals();
    void handshake_data();
    void handshake();
    void handshakeFixture();
};

void tst_MetaSignature::referenceVectors_data()
{
    QTest::addColumn<QString>("fixture");
    QTest::addColumn<int>("bytes");
    QTest::addColumn<QByteArray>("header");
    QTest::newRow("whatsapp inbound")
        << "whatsapp_inbound_text.json" << 929
        << QByteArray("sha256=275d72c1a3a27060f7b376770b7626784da603f91dd725c5246626b04a6ba348");
    QTest::newRow("whatsapp delivered")
        << "whatsapp_status_delivered.json" << 1057
        << QByteArray("sha256=f7d6e8d90b05d6cae3b823e80ef9537ae884a39f7eaefdb67ecec4e96b650240");
    QTest::newRow("messenger inbound")
        << "messenger_inbound_text.json" << 449
        << QByteArray("sha256=bd5542da939ac2d5055e428e08fb88fb9b0fb20a8dcf37889569eb8d7ec176b9");
    QTest::newRow("leadads leadgen")
        << "leadads_webhook_leadgen.json" << 467
        << QByteArray("sha256=2100a35a9d5cf9473b25a06809b5caee878c848791f3ca86c38717e0f273a4a3");
}

void tst_MetaSignature::referenceVectors()
{
    QFETCH(QString, fixture);
    QFETCH(int, bytes);
    QFETCH(QByteArray, header);
    const QByteArray body = Test::readFixture(fixture);
    QCOMPARE(body.size(), bytes);
    LD_VERIFY_OK(MetaSignature::verify("test_app_secret", body, header));
}

void tst_MetaSignature::signMatchesVectors()
{
    QCOMPARE(
        MetaSignature::sign("test_app_secret", Test::readFixture("messenger_inbound_text.json")),
        QByteArray("sha256=bd5542da939ac2d5055e428e08fb88fb9b0fb20a8dcf37889569eb8d7ec176b9"));
}

void tst_MetaSignature::rejects_data()
{
    const QByteArray body = Test::readFixture("whatsapp_inbound_text.json");
    const QByteArray good = MetaSignature::sign("test_app_secret", body);
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QByteArray>("header");
    QTest::addColumn<QString>("reason");

    QTest::newRow("missing") << body << QByteArray() << "missing";
    QTest::newRow("blank") << body << QByteArray("   ") << "missing";
    QTest::newRow("wrong secret") << body << MetaSignature::sign("other_secret", body)
                                  << "does not match";
    QByteArray flipped = good;
    flipped[flipped.size() - 1] = flipped.back() == '0' ? '1' : '0';
    QTest::newRow("one hex digit off") << body << flipped << "does not match";
    QTest::newRow("body changed by one byte")
        << QByteArray(body).replace("6.1%", "6.2%") << good << "does not match";
    // Re-serialised JSON is not the signed bytes.
    QTest::newRow("whitespace stripped")
        << QByteArray(body).replace("\n", "") << good << "does not match";
    QTest::newRow("truncated body") << body.left(body.size() - 10) << good << "does not match";
    QTest::newRow("sha1 header") << body
                                 << QByteArray("sha1=0123456789abcdef0123456789abcdef01234567")
                                 << "not sha256";
    QTest::newRow("no prefix") << body << good.mid(7) << "not sha256";
    QTest::newRow("short") << body << good.left(good.size() - 2) << "not sha256";
    QTest::newRow("long") << body << good + "00"
                          << "not sha256";
    QByteArray nonHex = good;
    nonHex[10] = 'g';
    QTest::newRow("non-hex digit") << body << nonHex << "not sha256";
    QByteArray spaced = good;
    spaced[10] = ' ';
    QTest::newRow("space inside") << body << spaced << "not sha256";
}

void tst_MetaSignature::rejects()
{
    QFETCH(QByteArray, body);
    QFETCH(QByteArray, header);
    QFETCH(QString, reason);
    auto verified = MetaSignature::verify("test_app_secret", body, header);
    QVERIFY(!verified);
    QVERIFY2(verified.error().message.contains(reason), qPrintable(verified.error().message));
}

void tst_MetaSignature::uppercaseHexAndPrefixAreAccepted()
{
    const QByteArray body = Test::readFixture("leadads_webhook_leadgen.json");
    const QByteArray header
        = "SHA256=2100A35A9D5CF9473B25A06809B5CAEE878C848791F3CA86C38717E0F273A4A3";
    LD_VERIFY_OK(MetaSignature::verify("test_app_secret", body, header));
}

void tst_MetaSignature::emptySecretNeverVerifies()
{
    const QByteArray body = "{}";
    QVERIFY(!MetaSignature::verify("", body, MetaSignature::sign("", body)));
}

void tst_MetaSignature::constantTimeEquals()
{
    QVERIFY(MetaSignature::constantTimeEquals("abc", "abc"));
    QVERIFY(MetaSignature::constantTimeEquals("", ""));
    QVERIFY(!MetaSignature::constantTimeEquals("abc", "abd"));
    QVERIFY(!MetaSignature::constantTimeEquals("abc", "abcd"));
    QVERIFY(!MetaSignature::constantTimeEquals(QByteArray("a\0b", 3), QByteArray("a\0c", 3)));
}

void tst_MetaSignature::handshake_data()
{
    QTest::addColumn<QString>("query");
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("body");
    QTest::newRow("ok") << "hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=tok-123"
                        << 200 << QByteArray("1158201444");
    QTest::newRow("any order") << "hub.verify_token=tok-123&hub.challenge=42&hub.mode=subscribe"
                               << 200 << QByteArray("42");
    QTest::newRow("percent-encoded token")
        << "hub.mode=subscribe&hub.challenge=7&hub.verify_token=tok%2D123" << 200
        << QByteArray("7");
    QTest::newRow("wrong token")
        << "hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=tok-124" << 403
        << QByteArray();
    QTest::newRow("token prefix") << "hub.mode=subscribe&hub.challenge=1&hub.verify_token=tok"
                                  << 403 << QByteArray();
    QTest::newRow("no token") << "hub.mode=subscribe&hub.challenge=1" << 403 << QByteArray();
    QTest::newRow("wrong mode") << "hub.mode=unsubscribe&hub.challenge=1&hub.verify_token=tok-123"
                                << 403 << QByteArray();
    QTest::newRow("underscored names (PHP's view, not the wire)")
        << "hub_mode=subscribe&hub_challenge=1&hub_verify_token=tok-123" << 403 << QByteArray();
    QTest::newRow("no challenge") << "hub.mode=subscribe&hub.verify_token=tok-123" << 400
                                  << QByteArray();
    QTest::newRow("script challenge")
        << "hub.mode=subscribe&hub.challenge=%3Cscript%3E&hub.verify_token=tok-123" << 400
        << QByteArray();
    QTest::newRow("huge challenge") << "hub.mode=subscribe&hub.verify_token=tok-123&hub.challenge="
                                           + QString(500, QLatin1Char('9'))
                                    << 400 << QByteArray();
    QTest::newRow("empty") << "" << 403 << QByteArray();
}

void tst_MetaSignature::handshake()
{
    QFETCH(QString, query);
    QFETCH(int, status);
    QFETCH(QByteArray, body);
    const auto reply = MetaSignature::handshake(QUrlQuery(query), QStringLiteral("tok-123"));
    QCOMPARE(reply.status, status);
    if (status == 200)
        QCOMPARE(reply.body, body);
    else
        QVERIFY(!reply.body.contains("1158201444"));
}

void tst_MetaSignature::handshakeFixture()
{
    // whatsapp_verify_request.http: the request line's query, with its configured token.
    const QByteArray request = Test::readFixture("whatsapp_verify_request.http");
    const QByteArray line = request.left(request.indexOf('\n'));
    const QByteArray target = line.split(' ').at(1);
    const QUrl url(QString::fromLatin1(target));
    QCOMPARE(url.path(), QStringLiteral("/webhooks/whatsapp"));
    const auto ok = MetaSignature::handshake(QUrlQuery(url), QStringLiteral("my-verify-token-123"));
    QCOMPARE(ok.status, 200);
    QCOMPARE(ok.body, QByteArray("1158201444"));
    const auto wrong = MetaSignature::handshake(QUrlQuery(url), QStringLiteral("another-token"));
    QCOMPARE(wrong.status, 403);
    // No token configured: nobody can subscribe, not even with an empty one.
    QCOMPARE(MetaSignature::handshake(
                 QUrlQuery(QStringLiteral("hub.mode=subscribe&hub.challenge=1&hub.verify_token=")),
                 QString())
                 .status,
             403);
}

QTEST_GUILESS_MAIN(tst_MetaSignature)
#include "tst_metasignature.moc"

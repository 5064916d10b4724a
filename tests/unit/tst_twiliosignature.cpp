#include "testsupport.h"
#include "twiliosignature.h"

#include <QMessageAuthenticationCode>
#include <QTest>

using namespace LeadDesk;
using Sync::TwilioSignature;
using Params = TwilioSignature::FormParams;

class tst_TwilioSignature : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void officialSdkVector();
    void officialVectorWithPortIsAccepted();
    void fixtureVector();
    void wrongInputsDoNotVerify_data();
    void wrongInputsDoNotVerify();
    void goSdkOrderIsAccepted();
    void repeatedNamesSortByValue();
    void parseForm_data();
    void parseForm();
    void malformedFormsFail_data();
    void malformedFormsFail();
    void urlVariants();
    void constantTimeEquals();

private:
    static Params officialParams()
    {
        return {{"CallSid", "CA1234567890ABCDE"},
                {"Caller", "+14158675309"},
                {"Digits", "1234"},
                {"From", "+14158675309"},
                {"To", "+18005551212"}};
    }
    static QString officialUrl()
    {
        return QStringLiteral("https://mycompany.com/myapp.php?foo=1&bar=2");
    }
    static Params fixtureParams()
    {
        // The fixture file ends with a newline a real request does not have.
        auto params = TwilioSignature::parseForm(
            Test::readFixture(QStringLiteral("twilio_inbound_sms.form")).trimmed());
        return params ? *params : Params{};
    }
};

// twilio/twilio-go client/request_validator_test.go, as reproduced in reference/channels.md §9.2.
void tst_TwilioSignature::officialSdkVector()
{
    QCOMPARE(TwilioSignature::sign("12345", officialUrl(), officialParams()),
             QByteArray("RSOYDt4T1cUTdK1PDd93/VVr8B8="));
    LD_VERIFY_OK(TwilioSignature::verify("12345", officialUrl(), officialParams(),
                                         "RSOYDt4T1cUTdK1PDd93/VVr8B8="));
    // The order the parameters arrive in does not matter.
    Params shuffled = officialParams();
    std::reverse(shuffled.begin(), shuffled.end());
    LD_VERIFY_OK(
        TwilioSignature::verify("12345", officialUrl(), shuffled, "RSOYDt4T1cUTdK1PDd93/VVr8B8="));
}

void tst_TwilioSignature::officialVectorWithPortIsAccepted()
{
    const QString withPort = QStringLiteral("https://mycompany.com:443/myapp.php?foo=1&bar=2");
    QCOMPARE(TwilioSignature::sign("12345", withPort, officialParams()),
             QByteArray("kvajT1Ptam85bY51eRf/AJRuM3w="));
    // Twilio signed with the port, the proxy dropped it (and the reverse).
    LD_VERIFY_OK(TwilioSignature::verify("12345", officialUrl(), officialParams(),
                                         "kvajT1Ptam85bY51eRf/AJRuM3w="));
    LD_VERIFY_OK(TwilioSignature::verify("12345", withPort, officialParams(),
                                         "RSOYDt4T1cUTdK1PDd93/VVr8B8="));
}

void tst_TwilioSignature::fixtureVector()
{
    const Params params = fixtureParams();
    QCOMPARE(params.size(), 20);
    const QString url = QStringLiteral("https://mock-crm.local/twilio/sms");
    QCOMPARE(TwilioSignature::sign("test_auth_token_0000", url, params),
             QByteArray("pRBT7tGhRdvQbMaMBWgttzK4iJY="));
    LD_VERIFY_OK(TwilioSignature::verify("test_auth_token_0000", url, params,
                                         " pRBT7tGhRdvQbMaMBWgttzK4iJY= "));
}

void tst_TwilioSignature::wrongInputsDoNotVerify_data()
{
    QTest::addColumn<QByteArray>("token");
    QTest::addColumn<QString>("url");
    QTest::addColumn<QByteArray>("signature");
    QTest::addColumn<QByteArray>("tamperName"); // a parameter whose value is changed
    const QByteArray good = "pRBT7tGhRdvQbMaMBWgttzK4iJY=";
    const QString url = QStringLiteral("https://mock-crm.local/twilio/sms");
    QTest::newRow("wrong token") << QByteArray("test_auth_token_0001") << url << good
                                 << QByteArray();
    QTest::newRow("empty token") << QByteArray() << url << good << QByteArray();
    QTest::newRow("missing header")
        << QByteArray("test_auth_token_0000") << url << QByteArray() << QByteArray();
    QTest::newRow("other host") << QByteArray("test_auth_token_0000")
                                << QStringLiteral("https://evil.local/twilio/sms") << good
                                << QByteArray();
    QTest::newRow("http instead of https")
        << QByteArray("test_auth_token_0000") << QStringLiteral("http://mock-crm.local/twilio/sms")
        << good << QByteArray();
    QTest::newRow("query added") << QByteArray("test_auth_token_0000")
                                 << url + QStringLiteral("?x=1") << good << QByteArray();
    QTest::newRow("body changed") << QByteArray("test_auth_token_0000") << url << good
                                  << QByteArray("Body");
    QTest::newRow("sender changed")
        << QByteArray("test_auth_token_0000") << url << good << QByteArray("From");
    QTest::newRow("truncated signature")
        << QByteArray("test_auth_token_0000") << url << good.left(20) << QByteArray();
    QTest::newRow("garbage") << QByteArray("test_auth_token_0000") << url
                             << QByteArray("'; DROP TABLE messages;--") << QByteArray();
}

void tst_TwilioSignature::wrongInputsDoNotVerify()
{
    QFETCH(QByteArray, token);
    QFETCH(QString, url);
    QFETCH(QByteArray, signature);
    QFETCH(QByteArray, tamperName);
    Params params = fixtureParams();
    for (auto &[name, value] : params) {
        if (name == tamperName)
            value += 'x';
    }
    QVERIFY(!TwilioSignature::verify(token, url, params, signature));
}

void tst_TwilioSignature::goSdkOrderIsAccepted()
{
    // Sorted by name, "To" comes before "ToCity"; as "namevalue" strings (twilio-go),
    // "ToCityX" comes before "Toabc". Both are Twilio's own validators, so both verify.
    const Params params{{"ToCity", "X"}, {"To", "abc"}};
    const QString url = QStringLiteral("https://example.com/hook");
    QMessageAuthenticationCode mac(QCryptographicHash::Sha1, "token");
    mac.addData(url.toUtf8() + "ToCityX" + "Toabc");
    const QByteArray goSignature = mac.result().toBase64();
    const QByteArray byName = TwilioSignature::sign("token", url, params);
    QVERIFY(goSignature != byName);
    LD_VERIFY_OK(TwilioSignature::verify("token", url, params, goSignature));
    LD_VERIFY_OK(TwilioSignature::verify("token", url, params, byName));
}

void tst_TwilioSignature::repeatedNamesSortByValue()
{
    const QString url = QStringLiteral("https://example.com/hook");
    const Params a{{"MediaUrl", "b"}, {"MediaUrl", "a"}};
    const Params b{{"MediaUrl", "a"}, {"MediaUrl", "b"}};
    QCOMPARE(TwilioSignature::sign("t", url, a), TwilioSignature::sign("t", url, b));
    QMessageAuthenticationCode mac(QCryptographicHash::Sha1, "t");
    mac.addData(url.toUtf8() + "MediaUrlaMediaUrlb");
    QCOMPARE(TwilioSignature::sign("t", url, a), mac.result().toBase64());
}

void tst_TwilioSignature::parseForm_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QList<QByteArray>>("flat"); // name, value, name, value...
    QTest::newRow("empty") << QByteArray() << QList<QByteArray>{};
    QTest::newRow("plus is space")
        << QByteArray("Body=Yes+call+me") << QList<QByteArray>{"Body", "Yes call me"};
    QTest::newRow("percent plus") << QByteArray("From=%2B16145550177")
                                  << QList<QByteArray>{"From", "+16145550177"};
    QTest::newRow("utf-8") << QByteArray("Body=caf%C3%A9+%F0%9F%98%80")
                           << QList<QByteArray>{"Body", "caf\xc3\xa9 \xf0\x9f\x98\x80"};
    QTest::newRow("invalid utf-8 kept as bytes")
        << QByteArray("Body=%FF%FE") << QList<QByteArray>{"Body", "\xff\xfe"};
    QTest::newRow("no equals") << QByteArray("a&b=1") << QList<QByteArray>{"a", "", "b", "1"};
    QTest::newRow("empty pairs") << QByteArray("&a=1&&b=2&")
                                 << QList<QByteArray>{"a", "1", "b", "2"};
    QTest::newRow("equals in value") << QByteArray("q=a%3Db=c") << QList<QByteArray>{"q", "a=b=c"};
    QTest::newRow("repeated") << QByteArray("x=1&x=2") << QList<QByteArray>{"x", "1", "x", "2"};
    QTest::newRow("lower-case hex") << QByteArray("x=%2b%2F") << QList<QByteArray>{"x", "+/"};
}

void tst_TwilioSignature::parseForm()
{
    QFETCH(QByteArray, body);
    QFETCH(QList<QByteArray>, flat);
    auto params = TwilioSignature::parseForm(body);
    LD_VERIFY_OK(params);
    QList<QByteArray> got;
    for (const auto &[name, value] : *params)
        got << name << value;
    QCOMPARE(got, flat);
}

void tst_TwilioSignature::malformedFormsFail_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::newRow("bad hex") << QByteArray("Body=%G1");
    QTest::newRow("truncated escape") << QByteArray("Body=abc%4");
    QTest::newRow("lone percent") << QByteArray("Body=%");
    QTest::newRow("escape in name") << QByteArray("B%zzody=1");
    QTest::newRow("no name") << QByteArray("=value");
}

void tst_TwilioSignature::malformedFormsFail()
{
    QFETCH(QByteArray, body);
    QVERIFY(!TwilioSignature::parseForm(body));
}

void tst_TwilioSignature::urlVariants()
{
    QCOMPARE(TwilioSignature::urlVariants(QStringLiteral("https://a.example/x?y=1")),
             (QList<QString>{QStringLiteral("https://a.example/x?y=1"),
                             QStringLiteral("https://a.example:443/x?y=1")}));
    QCOMPARE(TwilioSignature::urlVariants(QStringLiteral("http://a.example:8080/x")),
             (QList<QString>{QStringLiteral("http://a.example:8080/x"),
                             QStringLiteral("http://a.example/x")}));
    // The path and query keep their exact encoding.
    QCOMPARE(
        TwilioSignature::urlVariants(QStringLiteral("https://a.example/p%20q?r=%2B1")).value(1),
        QStringLiteral("https://a.example:443/p%20q?r=%2B1"));
    QCOMPARE(TwilioSignature::urlVariants(QStringLiteral("not a url")).size(), 1);
}

void tst_TwilioSignature::constantTimeEquals()
{
    QVERIFY(TwilioSignature::constantTimeEquals("abc", "abc"));
    QVERIFY(!TwilioSignature::constantTimeEquals("abc", "abd"));
    QVERIFY(!TwilioSignature::constantTimeEquals("abc", "abcd"));
    QVERIFY(TwilioSignature::constantTimeEquals("", ""));
}

QTEST_GUILESS_MAIN(tst_TwilioSignature)
#include "tst_twiliosignature.moc"

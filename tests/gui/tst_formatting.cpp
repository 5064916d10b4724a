#include "formatting.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

using namespace LeadDesk::Ui;

using Lines = QList<std::pair<QString, QString>>;

class TestFormatting : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void keyLabel_data();
    void keyLabel();
    void flattenDetails_data();
    void flattenDetails();
    void duration_data();
    void duration();
    void count();
    void sentence_data();
    void sentence();
    void readableValue_data();
    void readableValue();
    void labels();
};

void TestFormatting::keyLabel_data()
{
    QTest::addColumn<QString>("key");
    QTest::addColumn<QString>("label");
    QTest::newRow("snake") << QStringLiteral("credit_score") << QStringLiteral("Credit score");
    QTest::newRow("camel") << QStringLiteral("loanAmount") << QStringLiteral("Loan amount");
    QTest::newRow("kebab") << QStringLiteral("move-in-date") << QStringLiteral("Move in date");
    QTest::newRow("acronym") << QStringLiteral("utm_source") << QStringLiteral("UTM source");
    QTest::newRow("trailing id") << QStringLiteral("request_id") << QStringLiteral("Request ID");
    QTest::newRow("upper run") << QStringLiteral("FICO") << QStringLiteral("FICO");
    QTest::newRow("one word") << QStringLiteral("urgency") << QStringLiteral("Urgency");
    QTest::newRow("empty") << QString() << QString();
}

void TestFormatting::keyLabel()
{
    QFETCH(QString, key);
    QFETCH(QString, label);
    QCOMPARE(Formatting::keyLabel(key), label);
}

void TestFormatting::flattenDetails_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<Lines>("lines");

    QTest::newRow("scalars") << QByteArray(R"({"credit_score": 720, "apr": 6.25, "veteran": true,
                                               "co_borrower": null, "state": "TX"})")
                             << Lines{{QStringLiteral("APR"), QStringLiteral("6.25")},
                                      {QStringLiteral("Co borrower"), QStringLiteral("—")},
                                      {QStringLiteral("Credit score"), QStringLiteral("720")},
                                      {QStringLiteral("State"), QStringLiteral("TX")},
                                      {QStringLiteral("Veteran"), QStringLiteral("Yes")}};
    QTest::newRow("nested object")
        << QByteArray(R"({"property": {"type": "single_family", "value_cents": 45000000}})")
        << Lines{{QStringLiteral("Property › Type"), QStringLiteral("Single family")},
                 {QStringLiteral("Property › Value cents"), QStringLiteral("45000000")}};
    QTest::newRow("array of scalars")
        << QByteArray(R"({"rooms": ["kitchen", "bath", 2]})")
        << Lines{{QStringLiteral("Rooms"), QStringLiteral("kitchen, bath, 2")}};
    QTest::newRow("question and answer pairs")
        << QByteArray(R"({"answers": [{"question": "How many rooms?", "answer": "3"},
                                       {"question": "Pets?", "answer": false}]})")
        << Lines{{QStringLiteral("How many rooms?"), QStringLiteral("3")},
                 {QStringLiteral("Pets?"), QStringLiteral("No")}};
    QTest::newRow("lead ads field data")
        << QByteArray(R"({"field_data": [{"name": "what_is_your_budget?", "values": ["under_15k"]},
                                          {"name": "full_name", "values": ["Ana Ruiz"]}]})")
        << Lines{{QStringLiteral("What is your budget?"), QStringLiteral("Under 15k")},
                 {QStringLiteral("Full name"), QStringLiteral("Ana Ruiz")}};
    QTest::newRow("array of objects")
        << QByteArray(
               R"({"vehicles": [{"make": "Ford", "year": 2019}, {"make": "Kia", "year": 2021}]})")
        << Lines{{QStringLiteral("Vehicles 1 › Make"), QStringLiteral("Ford")},
                 {QStringLiteral("Vehicles 1 › Year"), QStringLiteral("2019")},
                 {QStringLiteral("Vehicles 2 › Make"), QStringLiteral("Kia")},
                 {QStringLiteral("Vehicles 2 › Year"), QStringLiteral("2021")}};
    QTest::newRow("empty array") << QByteArray(R"({"tags": []})")
                                 << Lines{{QStringLiteral("Tags"), QStringLiteral("—")}};
    QTest::newRow("empty") << QByteArray("{}") << Lines{};
}

void TestFormatting::flattenDetails()
{
    QFETCH(QByteArray, json);
    QFETCH(Lines, lines);
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(json, &error);
    QCOMPARE(error.error, QJsonParseError::NoError);
    QCOMPARE(Formatting::flattenDetails(document.object()), lines);
}

void TestFormatting::duration_data()
{
    QTest::addColumn<qint64>("ms");
    QTest::addColumn<QString>("text");
    QTest::newRow("seconds") << qint64(30'000) << QStringLiteral("under a minute");
    QTest::newRow("minutes") << qint64(45 * 60'000) << QStringLiteral("45 min");
    QTest::newRow("hours") << qint64(2 * 3'600'000) << QStringLiteral("2 h");
    QTest::newRow("hours and minutes") << qint64(130 * 60'000) << QStringLiteral("2 h 10 min");
    QTest::newRow("days and hours") << qint64(76 * 3'600'000) << QStringLiteral("3 d 4 h");
    QTest::newRow("negative") << qint64(-5) << QStringLiteral("under a minute");
}

void TestFormatting::duration()
{
    QFETCH(qint64, ms);
    QFETCH(QString, text);
    QCOMPARE(Formatting::duration(ms), text);
}

void TestFormatting::count()
{
    QLocale::setDefault(QLocale::c());
    QCOMPARE(Formatting::count(12345), QStringLiteral("12,345"));
    QCOMPARE(Formatting::count(7), QStringLiteral("7"));
    QLocale::setDefault(QLocale(QLocale::German, QLocale::Germany));
    QCOMPARE(Formatting::count(1234567), QStringLiteral("1.234.567"));
    QLocale::setDefault(QLocale::c());
}

void TestFormatting::sentence_data()
{
    QTest::addColumn<QString>("fragment");
    QTest::addColumn<QString>("text");
    QTest::newRow("fragment") << QStringLiteral("unknown user name or wrong password")
                              << QStringLiteral("Unknown user name or wrong password.");
    QTest::newRow("already a sentence") << QStringLiteral("Done!") << QStringLiteral("Done!");
    QTest::newRow("blank") << QStringLiteral("  ") << QString();
}

void TestFormatting::sentence()
{
    QFETCH(QString, fragment);
    QFETCH(QString, text);
    QCOMPARE(Formatting::sentence(fragment), text);
}

void TestFormatting::readableValue_data()
{
    QTest::addColumn<QString>("value");
    QTest::addColumn<QString>("text");
    QTest::newRow("machine word") << QStringLiteral("this_week") << QStringLiteral("This week");
    QTest::newRow("question") << QStringLiteral("pets_allowed?") << QStringLiteral("Pets allowed?");
    QTest::newRow("one word stays") << QStringLiteral("hvac") << QStringLiteral("hvac");
    QTest::newRow("prose stays") << QStringLiteral("Low (This Month)")
                                 << QStringLiteral("Low (This Month)");
    QTest::newRow("range stays") << QStringLiteral("3-6 months") << QStringLiteral("3-6 months");
    QTest::newRow("e-mail stays") << QStringLiteral("a_b@example.com")
                                  << QStringLiteral("a_b@example.com");
}

void TestFormatting::readableValue()
{
    QFETCH(QString, value);
    QFETCH(QString, text);
    QCOMPARE(Formatting::readableValue(value), text);
}

void TestFormatting::labels()
{
    QCOMPARE(Formatting::channelLabel(QStringLiteral("whatsapp")), QStringLiteral("WhatsApp"));
    QCOMPARE(Formatting::channelLabel(QStringLiteral("email")), QStringLiteral("e-mail"));
    QCOMPARE(Formatting::channelLabel(QStringLiteral("fax")), QStringLiteral("fax"));
    QCOMPARE(Formatting::statusLabel(QStringLiteral("closed_won")), QStringLiteral("Closed won"));
    QCOMPARE(Formatting::qualificationLabel(QStringLiteral("sales_qualified")),
             QStringLiteral("SQL"));
    QCOMPARE(Formatting::dateTime(0), QString());
    QCOMPARE(Formatting::relativeAge(1'000'000, 1'000'000 + 5 * 60'000),
             QStringLiteral("5 min ago"));
}

QTEST_MAIN(TestFormatting)
#include "tst_formatting.moc"

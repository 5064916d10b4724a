#include "leadnormalizer.h"
#include "testsupport.h"

#include <QTest>

using namespace LeadDesk;

class tst_LeadNormalizer : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void contactRules_data();
    void contactRules();
    void invalidFieldsFailTheLead_data();
    void invalidFieldsFailTheLead();
    void detailsAreTyped();
    void openEndedAmounts();
    void createdAtDefaultsToNow();

private:
    Core::Normalizer m_normalizer{QStringLiteral("US")};
};

void tst_LeadNormalizer::contactRules_data()
{
    QTest::addColumn<Core::RawLead>("raw");
    QTest::addColumn<QString>("expected"); // first|last|email|phone|state|address
    auto raw = [] {
        Core::RawLead r;
        r.channel = QStringLiteral("csv");
        return r;
    };
    Core::RawLead r = raw();
    r.firstName = QStringLiteral("renee");
    r.lastName = QStringLiteral("CASTILLO");
    r.email = QStringLiteral(" Renee.C@Example.COM ");
    r.phone = QStringLiteral("(614) 555-0177");
    r.street = QStringLiteral("88  Birchwood Ln");
    r.city = QStringLiteral("columbus");
    r.state = QStringLiteral("oh");
    r.postalCode = QStringLiteral("43214");
    QTest::newRow("seed 003 rules")
        << r
        << QStringLiteral("Renee|Castillo|Renee.C@example.com|+16145550177|OH|88 Birchwood Ln, "
                          "Columbus, OH 43214");

    r = raw();
    r.fullName = QStringLiteral("ana maría DE LA cruz");
    r.phone = QStringLiteral("614.555.0101");
    QTest::newRow("full name split") << r << QStringLiteral("Ana|María de la Cruz||+16145550101||");

    r = raw();
    r.email = QStringLiteral("a@example.com");
    r.altPhone = QStringLiteral("6145550102");
    QTest::newRow("alt phone stands in") << r << QStringLiteral("||a@example.com|+16145550102||");

    r = raw();
    r.email = QStringLiteral("b@example.co.uk");
    r.country = QStringLiteral("gb");
    r.state = QStringLiteral("Greater London");
    r.city = QStringLiteral("london");
    QTest::newRow("non-US region kept")
        << r << QStringLiteral("||b@example.co.uk||Greater London|London, Greater London");

    r = raw();
    r.phone = QStringLiteral("+44 20 7946 0958");
    r.firstName = QStringLiteral("o'neil");
    QTest::newRow("international phone") << r << QStringLiteral("O'Neil|||+442079460958||");
}

void tst_LeadNormalizer::contactRules()
{
    QFETCH(Core::RawLead, raw);
    QFETCH(QString, expected);
    Core::LeadNormalizer normalizer(m_normalizer);
    const auto outcome = normalizer.normalize(raw, 1000);
    QVERIFY2(outcome.errors.isEmpty(),
             qPrintable(outcome.errors.isEmpty() ? QString() : outcome.errors.first().message));
    const Core::LeadRecord &r = outcome.record;
    QCOMPARE(QStringList({r.firstName, r.lastName, r.email, r.phone, r.state, r.addressLine})
                 .join(QLatin1Char('|')),
             expected);
}

void tst_LeadNormalizer::invalidFieldsFailTheLead_data()
{
    QTest::addColumn<Core::RawLead>("raw");
    QTest::addColumn<QString>("field");
    Core::RawLead r;
    QTest::newRow("nothing to contact") << r << QStringLiteral("email");
    r.firstName = QStringLiteral("Only a name");
    QTest::newRow("name but no contact") << r << QStringLiteral("email");
    r = {};
    r.email = QStringLiteral("not an email");
    QTest::newRow("bad email") << r << QStringLiteral("email");
    r = {};
    r.phone = QStringLiteral("12");
    QTest::newRow("bad phone") << r << QStringLiteral("phone");
    r = {};
    r.email = QStringLiteral("a@example.com");
    r.state = QStringLiteral("Atlantis");
    QTest::newRow("bad state") << r << QStringLiteral("state");
    r = {};
    r.email = QStringLiteral("a@example.com");
    r.createdAt = QStringLiteral("yesterday-ish");
    QTest::newRow("bad date") << r << QStringLiteral("created_at");
    r = {};
    r.email = QStringLiteral("a@example.com");
    r.consentGiven = QStringLiteral("maybe");
    QTest::newRow("bad consent") << r << QStringLiteral("consent_given");
    r = {};
    r.email = QStringLiteral("a@example.com");
    r.details = {{QStringLiteral("credit_score"), QStringLiteral("1200")}};
    QTest::newRow("credit score out of range") << r << QStringLiteral("credit_score");
    r = {};
    r.email = QStringLiteral("a@example.com");
    r.details = {{QStringLiteral("found_home"), QStringLiteral("perhaps")}};
    QTest::newRow("bad boolean") << r << QStringLiteral("found_home");
    r = {};
    r.email = QStringLiteral("a@example.com");
    r.details = {{QStringLiteral("property_value"), QStringLiteral("lots")}};
    QTest::newRow("bad money") << r << QStringLiteral("property_value");
}

void tst_LeadNormalizer::invalidFieldsFailTheLead()
{
    QFETCH(Core::RawLead, raw);
    QFETCH(QString, field);
    Core::LeadNormalizer normalizer(m_normalizer);
    const auto outcome = normalizer.normalize(raw, 1000);
    QVERIFY(!outcome.errors.isEmpty());
    QCOMPARE(outcome.errors.first().field, field);
    QVERIFY(!outcome.errors.first().message.isEmpty());
}

void tst_LeadNormalizer::detailsAreTyped()
{
    Core::RawLead raw;
    raw.email = QStringLiteral("a@example.com");
    raw.details = {{QStringLiteral("credit_score"), QStringLiteral("720")},
                   {QStringLiteral("credit_rating"), QStringLiteral("Good")},
                   {QStringLiteral("property_value"), QStringLiteral("$410,000.00")},
                   {QStringLiteral("cash_out"), QStringLiteral("yes")},
                   {QStringLiteral("found_home"), QStringLiteral("N")},
                   {QStringLiteral("ltv"), QStringLiteral("65%")},
                   {QStringLiteral("date_of_birth"), QStringLiteral("1990-11-20")},
                   {QStringLiteral("Unmapped Column"), QStringLiteral("kept as text")},
                   {QStringLiteral("mortgage_balance"), QStringLiteral("   ")}};
    Core::LeadNormalizer normalizer(m_normalizer);
    const auto outcome = normalizer.normalize(raw, 1000);
    QVERIFY(outcome.errors.isEmpty());
    const QJsonObject &d = outcome.record.details;
    QCOMPARE(d.value(QStringLiteral("credit_score")).toInt(), 720);
    QCOMPARE(d.value(QStringLiteral("credit_rating")).toString(), QStringLiteral("Good"));
    QCOMPARE(d.value(QStringLiteral("property_value_cents")).toInteger(), 41000000);
    QCOMPARE(d.value(QStringLiteral("cash_out")).toBool(), true);
    QVERIFY(!d.contains(QStringLiteral("cash_out_cents")));
    QCOMPARE(d.value(QStringLiteral("found_home")).toBool(), false);
    QCOMPARE(d.value(QStringLiteral("ltv")).toDouble(), 65.0);
    QVERIFY(d.value(QStringLiteral("date_of_birth"))
                .toString()
                .startsWith(QStringLiteral("1990-11-20")));
    QCOMPARE(d.value(QStringLiteral("Unmapped Column")).toString(), QStringLiteral("kept as text"));
    QVERIFY(!d.contains(QStringLiteral("mortgage_balance_cents")));
}

void tst_LeadNormalizer::openEndedAmounts()
{
    // FreeRateUpdate: "CashOut: a number, or '500000 or more'"; "MortgageBalance: ... 'Over
    // 1200000'".
    Core::RawLead raw;
    raw.email = QStringLiteral("a@example.com");
    raw.details = {{QStringLiteral("cash_out"), QStringLiteral("500000 or more")},
                   {QStringLiteral("mortgage_balance"), QStringLiteral("Over 1200000")}};
    Core::LeadNormalizer normalizer(m_normalizer);
    const auto outcome = normalizer.normalize(raw, 1000);
    QVERIFY(outcome.errors.isEmpty());
    const QJsonObject &d = outcome.record.details;
    QCOMPARE(d.value(QStringLiteral("cash_out_cents")).toInteger(), 50000000);
    QCOMPARE(d.value(QStringLiteral("cash_out_or_more")).toBool(), true);
    QCOMPARE(d.value(QStringLiteral("cash_out")).toBool(), true);
    QCOMPARE(d.value(QStringLiteral("mortgage_balance_cents")).toInteger(), 120000000);
    QCOMPARE(d.value(QStringLiteral("mortgage_balance_or_more")).toBool(), true);
}

void tst_LeadNormalizer::createdAtDefaultsToNow()
{
    Core::RawLead raw;
    raw.email = QStringLiteral("a@example.com");
    Core::LeadNormalizer normalizer(m_normalizer);
    QCOMPARE(normalizer.normalize(raw, 123456).record.createdAtMs, 123456);
    raw.createdAt = QStringLiteral("2025-10-03T10:30:00Z");
    QCOMPARE(normalizer.normalize(raw, 123456).record.createdAtMs,
             QDateTime(QDate(2025, 10, 3), QTime(10, 30), Qt::UTC).toMSecsSinceEpoch());
}

QTEST_GUILESS_MAIN(tst_LeadNormalizer)
#include "tst_leadnormalizer.moc"

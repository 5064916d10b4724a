// Seed 004's campaign form: validation, mapping to a lead, the seed's error fields and codes.
#include "campaignform.h"
#include "normalizer.h"
#include "testsupport.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace LeadDesk;

namespace {

QJsonObject withField(QJsonObject form, const QString &path, const QJsonValue &value)
{
    const qsizetype dot = path.indexOf(QLatin1Char('.'));
    if (dot < 0) {
        if (value.isUndefined())
            form.remove(path);
        else
            form.insert(path, value);
        return form;
    }
    const QString section = path.left(dot);
    form.insert(section, withField(form.value(section).toObject(), path.mid(dot + 1), value));
    return form;
}

constexpr qint64 kNow = 1'760'000'000'000;

} // namespace

class tst_CampaignForm : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void seedRequestMapsToALead();
    void problems_data();
    void problems();
    void phones_data();
    void phones();
    void consentForms_data();
    void consentForms();
    void snakeCaseContactFieldsAreAccepted();
    void formCompletionAndBehaviourDetails();
    void remoteAddressStandsInForAMissingIp();
    void freeTextIsKeptVerbatim();
    void publicLeadIds();
    void successResponseHasTheSeedShape();

private:
    Core::Normalizer m_normalizer{QStringLiteral("US")};
};

void tst_CampaignForm::seedRequestMapsToALead()
{
    auto lead = Core::CampaignForm::toLead(Test::seedCampaignForm(), m_normalizer, kNow);
    QVERIFY2(lead.has_value(), qPrintable(lead ? QString() : lead.error().message));
    QCOMPARE(lead->channel, QStringLiteral("webform"));
    QCOMPARE(lead->campaignRef, QStringLiteral("nextcloud-installation-2025"));
    QCOMPARE(lead->sourceLabel, QStringLiteral("landing-page"));
    QCOMPARE(lead->firstName, QStringLiteral("John"));
    QCOMPARE(lead->lastName, QStringLiteral("Doe"));
    QCOMPARE(lead->email, QStringLiteral("john.doe@company.com"));
    QCOMPARE(lead->company, QStringLiteral("Acme Corp"));
    QCOMPARE(lead->serviceInterest, QStringLiteral("Nextcloud Installation"));
    QCOMPARE(lead->urgency, QStringLiteral("High (Same day)"));
    QCOMPARE(lead->budgetRange, QStringLiteral("$5000-$10000"));
    QCOMPARE(lead->utmMedium, QStringLiteral("cpc"));
    QCOMPARE(lead->utmContent, QStringLiteral("ad-variant-a"));
    QCOMPARE(lead->landingPageUrl,
             QStringLiteral("https://nexlink.website/campaigns/nextcloud-installation.html"));
    QCOMPARE(lead->ipAddress, QStringLiteral("192.168.1.1"));
    QVERIFY(lead->consentGiven);
    QCOMPARE(lead->createdAtMs, kNow); // the server's clock, not the form's
    const QJsonObject form = lead->details.value(QStringLiteral("form")).toObject();
    QCOMPARE(form.value(QStringLiteral("form_type")).toString(),
             QStringLiteral("campaign_landing"));
    QCOMPARE(form.value(QStringLiteral("timestamp")).toString(),
             QStringLiteral("2025-10-03T10:30:00Z"));
    QCOMPARE(Core::CampaignForm::campaignIdOf(Test::seedCampaignForm()),
             QStringLiteral("nextcloud-installation-2025"));
}

void tst_CampaignForm::problems_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QJsonValue>("value");
    QTest::addColumn<QString>("field");
    QTest::addColumn<QString>("message");
    const QJsonValue absent(QJsonValue::Undefined);
    QTest::newRow("campaign missing") << "campaign_id" << absent << "campaign_id"
                                      << "campaign_id is required";
    QTest::newRow("campaign null") << "campaign_id" << QJsonValue() << "campaign_id"
                                   << "campaign_id is required";
    QTest::newRow("campaign blank")
        << "campaign_id" << QJsonValue(QStringLiteral(" \t")) << "campaign_id"
        << "campaign_id is required";
    QTest::newRow("campaign number") << "campaign_id" << QJsonValue(7) << "campaign_id"
                                     << "campaign_id must be a string";
    QTest::newRow("source missing") << "source" << absent << "source"
                                    << "source is required";
    QTest::newRow("contact missing") << "contact" << absent << "contact"
                                     << "contact is required";
    QTest::newRow("contact array") << "contact" << QJsonValue(QJsonArray()) << "contact"
                                   << "must be a JSON object";
    QTest::newRow("first name missing") << "contact.firstName" << absent << "contact.firstName"
                                        << "contact.firstName is required";
    QTest::newRow("last name missing") << "contact.lastName" << absent << "contact.lastName"
                                       << "contact.lastName is required";
    QTest::newRow("email missing") << "contact.email" << absent << "contact.email"
                                   << "contact.email is required";
    QTest::newRow("email invalid")
        << "contact.email" << QJsonValue(QStringLiteral("john.doe@")) << "contact.email"
        << "Invalid email format";
    QTest::newRow("email with space")
        << "contact.email" << QJsonValue(QStringLiteral("john doe@x.com")) << "contact.email"
        << "Invalid email format";
    QTest::newRow("phone letters")
        << "contact.phone" << QJsonValue(QStringLiteral("call me maybe")) << "contact.phone"
        << "Invalid phone format";
    QTest::newRow("phone too short")
        << "contact.phone" << QJsonValue(QStringLiteral("12-34")) << "contact.phone"
        << "Invalid phone format";
    QTest::newRow("message too long")
        << "lead_details.message" << QJsonValue(QString(5001, QLatin1Char('m')))
        << "lead_details.message"
        << "lead_details.message is longer than 5000 characters";
    QTest::newRow("utm object") << "tracking.utm_source" << QJsonValue(QJsonObject())
                                << "tracking.utm_source"
                                << "tracking.utm_source must be a string";
    QTest::newRow("tracking string") << "tracking" << QJsonValue(QStringLiteral("x")) << "tracking"
                                     << "must be a JSON object";
    QTest::newRow("consent word") << "form_metadata.consent_given"
                                  << QJsonValue(QStringLiteral("perhaps"))
                                  << "form_metadata.consent_given"
                                  << "form_metadata.consent_given must be true or false";
    QTest::newRow("consent number")
        << "form_metadata.consent_given" << QJsonValue(2) << "form_metadata.consent_given"
        << "form_metadata.consent_given must be true or false";
    QTest::newRow("timestamp garbage")
        << "form_metadata.timestamp" << QJsonValue(QStringLiteral("soon"))
        << "form_metadata.timestamp"
        << "form_metadata.timestamp";
    QTest::newRow("time on page text")
        << "tracking.time_on_page_seconds" << QJsonValue(QStringLiteral("long"))
        << "tracking.time_on_page_seconds"
        << "must be a number";
    QTest::newRow("return visitor text")
        << "tracking.return_visitor" << QJsonValue(QStringLiteral("y")) << "tracking.return_visitor"
        << "must be true or false";
    QTest::newRow("NUL in company")
        << "contact.company"
        << QJsonValue(QString(QStringLiteral("Ac") + QChar(0) + QStringLiteral("me")))
        << "contact.company"
        << "NUL";
}

void tst_CampaignForm::problems()
{
    QFETCH(QString, path);
    QFETCH(QJsonValue, value);
    QFETCH(QString, field);
    QFETCH(QString, message);
    auto lead = Core::CampaignForm::toLead(withField(Test::seedCampaignForm(), path, value),
                                           m_normalizer, kNow);
    QVERIFY(!lead);
    QCOMPARE(lead.error().code, QStringLiteral("VALIDATION_ERROR"));
    QCOMPARE(lead.error().field, field);
    QVERIFY2(lead.error().message.contains(message), qPrintable(lead.error().message));
}

void tst_CampaignForm::phones_data()
{
    QTest::addColumn<QString>("written");
    QTest::addColumn<QString>("stored");
    QTest::addColumn<bool>("unverified");
    QTest::newRow("assigned US number") << "(614) 555-0177"
                                        << "+16145550177" << false;
    QTest::newRow("international") << "+44 20 7946 0958"
                                   << "+442079460958" << false;
    QTest::newRow("seed's fictional 555 area") << "+1-555-123-4567"
                                               << "+15551234567" << true;
    QTest::newRow("unassigned, ten digits") << "123-456-7890"
                                            << "+11234567890" << true;
}

void tst_CampaignForm::phones()
{
    QFETCH(QString, written);
    QFETCH(QString, stored);
    QFETCH(bool, unverified);
    auto lead = Core::CampaignForm::toLead(
        withField(Test::seedCampaignForm(), QStringLiteral("contact.phone"), written), m_normalizer,
        kNow);
    QVERIFY(lead.has_value());
    QCOMPARE(lead->phone, stored);
    QCOMPARE(lead->details.value(QStringLiteral("phone_unverified")).toBool(), unverified);
}

void tst_CampaignForm::consentForms_data()
{
    QTest::addColumn<QJsonValue>("value");
    QTest::addColumn<bool>("consent");
    QTest::newRow("true") << QJsonValue(true) << true;
    QTest::newRow("false") << QJsonValue(false) << false;
    QTest::newRow("text yes") << QJsonValue(QStringLiteral("yes")) << true;
    QTest::newRow("absent") << QJsonValue(QJsonValue::Undefined) << false;
}

void tst_CampaignForm::consentForms()
{
    QFETCH(QJsonValue, value);
    QFETCH(bool, consent);
    auto lead = Core::CampaignForm::toLead(
        withField(Test::seedCampaignForm(), QStringLiteral("form_metadata.consent_given"), value),
        m_normalizer, kNow);
    QVERIFY(lead.has_value());
    QCOMPARE(lead->consentGiven, consent);
}

void tst_CampaignForm::snakeCaseContactFieldsAreAccepted()
{
    QJsonObject form = Test::seedCampaignForm();
    QJsonObject contact{{QStringLiteral("first_name"), QStringLiteral("mary")},
                        {QStringLiteral("last_name"), QStringLiteral("o'neil")},
                        {QStringLiteral("email"), QStringLiteral("Mary@Example.COM")}};
    form.insert(QStringLiteral("contact"), contact);
    auto lead = Core::CampaignForm::toLead(form, m_normalizer, kNow);
    QVERIFY(lead.has_value());
    QCOMPARE(lead->firstName, QStringLiteral("Mary"));
    QCOMPARE(lead->lastName, QStringLiteral("O'Neil"));
    QCOMPARE(lead->email, QStringLiteral("Mary@example.com"));
}

void tst_CampaignForm::formCompletionAndBehaviourDetails()
{
    auto full = Core::CampaignForm::toLead(
        withField(withField(Test::seedCampaignForm(),
                            QStringLiteral("tracking.time_on_page_seconds"), 240),
                  QStringLiteral("tracking.return_visitor"), true),
        m_normalizer, kNow);
    QVERIFY(full.has_value());
    QCOMPARE(full->details.value(QStringLiteral("form_completion")).toString(),
             QStringLiteral("all"));
    QCOMPARE(full->details.value(QStringLiteral("time_on_page_seconds")).toDouble(), 240.0);
    QCOMPARE(full->details.value(QStringLiteral("return_visitor")).toBool(), true);
    auto minimal = Core::CampaignForm::toLead(
        withField(withField(Test::seedCampaignForm(), QStringLiteral("lead_details"),
                            QJsonValue::Undefined),
                  QStringLiteral("contact.phone"), QJsonValue::Undefined),
        m_normalizer, kNow);
    QVERIFY(minimal.has_value());
    QCOMPARE(minimal->details.value(QStringLiteral("form_completion")).toString(),
             QStringLiteral("required"));
    QVERIFY(!minimal->details.contains(QStringLiteral("time_on_page_seconds")));
}

void tst_CampaignForm::remoteAddressStandsInForAMissingIp()
{
    auto lead = Core::CampaignForm::toLead(withField(Test::seedCampaignForm(),
                                                     QStringLiteral("tracking.ip_address"),
                                                     QJsonValue::Undefined),
                                           m_normalizer, kNow, QStringLiteral("203.0.113.9"));
    QVERIFY(lead.has_value());
    QCOMPARE(lead->ipAddress, QStringLiteral("203.0.113.9"));
}

void tst_CampaignForm::freeTextIsKeptVerbatim()
{
    const QString hostile = QStringLiteral("'); DROP TABLE leads;-- <img src=x onerror=alert(1)>");
    QJsonObject form = Test::seedCampaignForm();
    form = withField(form, QStringLiteral("lead_details.message"),
                     QString(QStringLiteral("Line one\nLine two\t") + hostile));
    form = withField(form, QStringLiteral("contact.company"), hostile);
    form = withField(form, QStringLiteral("tracking.utm_term"), hostile);
    auto lead = Core::CampaignForm::toLead(form, m_normalizer, kNow);
    QVERIFY(lead.has_value());
    QCOMPARE(lead->company, hostile);
    QCOMPARE(lead->utmTerm, hostile);
    QCOMPARE(lead->message, QStringLiteral("Line one\nLine two\t") + hostile);
}

void tst_CampaignForm::publicLeadIds()
{
    const QString uuid = QStringLiteral("01929f2c-1a2b-7c3d-8e4f-0123456789ab");
    const QString publicId = Core::CampaignForm::publicLeadId(uuid);
    QCOMPARE(publicId, QStringLiteral("lead_01929f2c1a2b7c3d8e4f0123456789ab"));
    QCOMPARE(Core::CampaignForm::uuidOfPublicId(publicId), uuid);
    QCOMPARE(Core::CampaignForm::uuidOfPublicId(uuid), uuid);
    for (const QString &bad :
         {QStringLiteral("lead_abc123def456"), QStringLiteral(""),
          QStringLiteral("lead_01929f2c1a2b7c3d8e4f0123456789aZ"), QStringLiteral("' OR 1=1 --")})
        QVERIFY2(Core::CampaignForm::uuidOfPublicId(bad).isEmpty(), qPrintable(bad));
}

void tst_CampaignForm::successResponseHasTheSeedShape()
{
    const QString uuid = QStringLiteral("01929f2c-1a2b-7c3d-8e4f-0123456789ab");
    const QByteArray text = Core::CampaignForm::successResponse(QStringLiteral("A"), false, uuid);
    const QJsonObject answer = QJsonDocument::fromJson(text).object();
    QCOMPARE(answer.keys(), (QStringList{QStringLiteral("lead_id"), QStringLiteral("message"),
                                         QStringLiteral("next_steps"), QStringLiteral("success")}));
    QCOMPARE(answer.value(QStringLiteral("lead_id")).toString(),
             QStringLiteral("lead_01929f2c1a2b7c3d8e4f0123456789ab"));
    QCOMPARE(answer.value(QStringLiteral("success")), QJsonValue(true));
    const QJsonObject next = answer.value(QStringLiteral("next_steps")).toObject();
    QCOMPARE(next.value(QStringLiteral("expected_response_time")).toString(),
             QStringLiteral("1 hour"));
    QCOMPARE(next.value(QStringLiteral("contact_method")).toString(), QStringLiteral("email"));
    QCOMPARE(next.value(QStringLiteral("tracking_enabled")), QJsonValue(true));
    QCOMPARE(Core::CampaignForm::expectedResponseTime(QStringLiteral("D")),
             QStringLiteral("48 hours"));
    // Written by hand, byte for byte what QJsonDocument writes, for every grade and method.
    for (const QString &grade : {u"A"_qs, u"B"_qs, u"C"_qs, u"D"_qs}) {
        for (const bool phone : {false, true}) {
            const QByteArray direct = Core::CampaignForm::successResponse(grade, phone, uuid);
            QCOMPARE(direct, QJsonDocument(QJsonDocument::fromJson(direct).object())
                                 .toJson(QJsonDocument::Compact));
        }
    }
    // An id this store would never make is escaped, not pasted.
    const QByteArray hostile
        = Core::CampaignForm::successResponse(QStringLiteral("B"), true, QStringLiteral("\"x"));
    QJsonParseError error{};
    const QJsonObject parsed = QJsonDocument::fromJson(hostile, &error).object();
    QCOMPARE(error.error, QJsonParseError::NoError);
    QCOMPARE(parsed.value(QStringLiteral("lead_id")).toString(), QStringLiteral("lead_\"x"));
}

QTEST_GUILESS_MAIN(tst_CampaignForm)
#include "tst_campaignform.moc"

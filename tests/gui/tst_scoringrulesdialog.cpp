#include "demodatagenerator.h"
#include "engine.h"
#include "scoringjsondialog.h"
#include "scoringrules.h"
#include "scoringrulesdialog.h"
#include "settingsrepository.h"
#include "testsupport.h"

#include <QDialogButtonBox>
#include <QGroupBox>
#include <QJsonArray>
#include <QJsonDocument>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QSqlQuery>
#include <QTest>
#include <QTreeWidget>

using namespace LeadDesk;
using Ui::ScoringRulesDialog;

namespace {

constexpr int kLeads = 120;
constexpr int kTimeoutMs = 20000;

QJsonObject leadRule(const QJsonObject &document, const QString &id)
{
    for (const QJsonValue &group : document.value(u"lead").toObject().value(u"groups").toArray()) {
        for (const QJsonValue &rule : group.toObject().value(u"rules").toArray()) {
            if (rule.toObject().value(u"id").toString() == id)
                return rule.toObject();
        }
    }
    return {};
}

QJsonObject parsed(const QByteArray &json)
{
    return QJsonDocument::fromJson(json).object();
}

} // namespace

class TestScoringRulesDialog : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void showsEveryRule();
    void editingAWeightSavesAndRescores();
    void problemsShowTheirPath();
    void thresholdsAndDecay();
    void jsonEditorChecksAsYouType();
    void restoreDefaults();
    void nothingChangedClosesWithoutSaving();

private:
    qint64 scalar(const QString &sql);
    QPushButton *saveButton(ScoringRulesDialog &dialog)
    {
        return dialog.findChild<QDialogButtonBox *>(QStringLiteral("buttonBox"))
            ->button(QDialogButtonBox::Save);
    }

    std::unique_ptr<Test::TempStore> m_store;
    std::unique_ptr<Sync::Engine> m_engine;
};

void TestScoringRulesDialog::init()
{
    m_store = std::make_unique<Test::TempStore>();
    QVERIFY(m_store->isValid());
    Core::DemoDataGenerator::Options options;
    options.leads = kLeads;
    options.seed = 5;
    LD_VERIFY_OK(Core::DemoDataGenerator(m_store->db(), options).generate(m_store->businessId()));
    m_engine = std::make_unique<Sync::Engine>();
    LD_VERIFY_OK(m_engine->open(m_store->dir()));
}

void TestScoringRulesDialog::cleanup()
{
    m_engine.reset();
    m_store.reset();
}

qint64 TestScoringRulesDialog::scalar(const QString &sql)
{
    QSqlQuery query(m_store->db().connection());
    if (!query.exec(sql) || !query.next())
        qFatal("%s", qPrintable(sql));
    return query.value(0).toLongLong();
}

void TestScoringRulesDialog::showsEveryRule()
{
    ScoringRulesDialog dialog(*m_engine);
    QTreeWidget *tree = dialog.rulesTree();
    // Four groups of the lead model, one of the chatbot's.
    QCOMPARE(tree->topLevelItemCount(), 5);
    int rules = 0;
    for (int g = 0; g < tree->topLevelItemCount(); ++g)
        rules += tree->topLevelItem(g)->childCount();
    const auto defaults = Core::ScoringRules::loadDefault();
    QCOMPARE(rules, defaults->leadRuleIds().size() + defaults->behaviourRuleIds().size());

    QTreeWidgetItem *contact = dialog.itemFor(QStringLiteral("contact_quality"));
    QVERIFY(contact);
    QCOMPARE(contact->text(ScoringRulesDialog::RuleColumn), QStringLiteral("Contact quality"));
    QCOMPARE(contact->data(ScoringRulesDialog::CapColumn, Qt::EditRole).toInt(), 25);
    QTreeWidgetItem *email = dialog.itemFor(QStringLiteral("business_email"));
    QCOMPARE(email->parent(), contact);
    QCOMPARE(email->text(ScoringRulesDialog::RuleColumn),
             QStringLiteral("Business e-mail address"));
    QCOMPARE(email->text(ScoringRulesDialog::WhenColumn),
             QStringLiteral("email at a domain not in the list \"free_email_domains\""));
    QCOMPARE(email->data(ScoringRulesDialog::PointsColumn, Qt::EditRole).toInt(), 15);
    // Points by value are shown as their range and edited as JSON.
    QTreeWidgetItem *urgency = dialog.itemFor(QStringLiteral("urgency"));
    QCOMPARE(urgency->text(ScoringRulesDialog::PointsColumn), QStringLiteral("5–15"));
    QVERIFY(urgency->text(ScoringRulesDialog::WhenColumn)
                .startsWith(QStringLiteral("urgency by value (starts with): ")));
    QTreeWidgetItem *answers = dialog.itemFor(QStringLiteral("answered_question"));
    QCOMPARE(answers->data(ScoringRulesDialog::CapColumn, Qt::EditRole).toInt(), 35);
    QCOMPARE(answers->text(ScoringRulesDialog::WhenColumn),
             QStringLiteral("chatbot event \"answered_question\", each time"));
    QCOMPARE(dialog.thresholdSpin(QStringLiteral("grades"), 0)->value(), 80);
    QCOMPARE(dialog.thresholdSpin(QStringLiteral("qualification"), 1)->value(), 30);
    QVERIFY(!dialog.thresholdSpin(QStringLiteral("grades"), 3)); // D starts at 0, always
    QVERIFY(!dialog.decayBox()->isChecked());
    QVERIFY(dialog.errorText().isEmpty());
    QVERIFY(dialog.canSave());
}

void TestScoringRulesDialog::editingAWeightSavesAndRescores()
{
    const qint64 withPhone = scalar(QStringLiteral(
        "SELECT COUNT(*) FROM scored_leads WHERE score_breakdown LIKE '%phone_provided%' "
        "AND channel <> 'chatbot'"));
    QVERIFY(withPhone > 0);
    const qint64 pointsBefore = scalar(QStringLiteral("SELECT SUM(lead_score) FROM scored_leads"));

    ScoringRulesDialog dialog(*m_engine);
    dialog.show();
    QTreeWidgetItem *phone = dialog.itemFor(QStringLiteral("phone_provided"));
    phone->setData(ScoringRulesDialog::PointsColumn, Qt::EditRole, 9); // as the editor does
    QCOMPARE(leadRule(parsed(dialog.document()), QStringLiteral("phone_provided"))
                 .value(u"points")
                 .toInt(),
             9);
    QVERIFY(dialog.errorText().isEmpty());

    QSignalSpy finished(m_engine.get(), &Sync::Engine::rescoreFinished);
    QSignalSpy progress(m_engine.get(), &Sync::Engine::rescoreProgress);
    QSignalSpy changed(m_engine.get(), &Sync::Engine::scoringRulesChanged);
    saveButton(dialog)->click();
    QVERIFY(dialog.isBusy()); // the store answers later; the dialog does not wait
    QTRY_COMPARE_WITH_TIMEOUT(dialog.result(), int(QDialog::Accepted), kTimeoutMs);
    QCOMPARE(changed.count(), 1);
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, kTimeoutMs);
    QVERIFY(progress.count() >= 1);
    // The chatbot's leads are scored by the behaviour model, not rescored with the lead model.
    const qint64 leadModelLeads = Test::countRows(m_store->db(), QStringLiteral("leads"),
                                                  QStringLiteral("channel <> 'chatbot'"));
    QCOMPARE(progress.last().at(0).toLongLong(), leadModelLeads);
    QCOMPARE(finished.first().at(0).toLongLong(), leadModelLeads);
    QVERIFY(finished.first().at(2).toString().isEmpty());
    QVERIFY(!m_engine->isRescoring());

    // Stored for the business, and every lead with a phone gained 4 points (where no group
    // maximum or the 100 limit stopped it).
    auto stored = Core::SettingsRepository(m_store->db())
                      .value(m_store->businessId(),
                             QString::fromLatin1(Core::SettingsRepository::kScoringRules));
    LD_VERIFY_OK(stored);
    QVERIFY(stored->has_value());
    QCOMPARE(**stored, dialog.document());
    QCOMPARE(m_engine->scoringRules()->document(), dialog.document());
    QCOMPARE(scalar(QStringLiteral("SELECT COUNT(*) FROM scored_leads WHERE score_breakdown LIKE "
                                   "'%\"phone_provided\":9%'")),
             withPhone);
    QVERIFY(scalar(QStringLiteral("SELECT SUM(lead_score) FROM scored_leads")) > pointsBefore);
}

void TestScoringRulesDialog::problemsShowTheirPath()
{
    ScoringRulesDialog dialog(*m_engine);
    QTreeWidgetItem *contact = dialog.itemFor(QStringLiteral("contact_quality"));
    contact->setData(ScoringRulesDialog::CapColumn, Qt::EditRole, 150);
    QCOMPARE(dialog.errorText(), QStringLiteral("lead.groups[0].max: must be between 0 and 100"));
    QVERIFY(!dialog.canSave());
    QVERIFY(!saveButton(dialog)->isEnabled());
    contact->setData(ScoringRulesDialog::CapColumn, Qt::EditRole, 30);
    QVERIFY(dialog.errorText().isEmpty());
    QVERIFY(saveButton(dialog)->isEnabled());

    // A grade threshold above the one before it.
    dialog.thresholdSpin(QStringLiteral("grades"), 1)->setValue(85);
    QCOMPARE(dialog.errorText(),
             QStringLiteral("lead.grades[1].min: must be lower than the band before"));
    dialog.thresholdSpin(QStringLiteral("grades"), 1)->setValue(65);
    QVERIFY(dialog.errorText().isEmpty());
}

void TestScoringRulesDialog::thresholdsAndDecay()
{
    ScoringRulesDialog dialog(*m_engine);
    dialog.thresholdSpin(QStringLiteral("grades"), 0)->setValue(70);
    dialog.thresholdSpin(QStringLiteral("qualification"), 0)->setValue(55);
    QTreeWidgetItem *answers = dialog.itemFor(QStringLiteral("answered_question"));
    answers->setData(ScoringRulesDialog::CapColumn, Qt::EditRole, -1); // "none"
    QTreeWidgetItem *email = dialog.itemFor(QStringLiteral("business_email"));
    email->setData(ScoringRulesDialog::CapColumn, Qt::EditRole, 12);

    // Decay on: every group fades until some are unticked.
    dialog.decayBox()->setChecked(true);
    dialog.halfLifeSpin()->setValue(14);
    QTreeWidgetItem *behaviour = dialog.itemFor(QStringLiteral("behaviour"));
    QCOMPARE(behaviour->checkState(ScoringRulesDialog::FadesColumn), Qt::Checked);
    QJsonObject document = parsed(dialog.document());
    QCOMPARE(document.value(u"decay").toObject(), (QJsonObject{{"half_life_days", 14}}));
    for (int g = 0; g < dialog.rulesTree()->topLevelItemCount(); ++g) {
        QTreeWidgetItem *group = dialog.rulesTree()->topLevelItem(g);
        if (group != behaviour)
            group->setCheckState(ScoringRulesDialog::FadesColumn, Qt::Unchecked);
    }
    document = parsed(dialog.document());
    QCOMPARE(document.value(u"decay").toObject(),
             (QJsonObject{{"half_life_days", 14}, {"applies_to", QJsonArray{"behaviour"}}}));
    QVERIFY2(dialog.errorText().isEmpty(), qPrintable(dialog.errorText()));

    const QJsonObject lead = document.value(u"lead").toObject();
    QCOMPARE(lead.value(u"grades").toArray().at(0).toObject().value(u"min").toInt(), 70);
    QCOMPARE(lead.value(u"qualification").toArray().at(0).toObject().value(u"min").toInt(), 55);
    QCOMPARE(leadRule(document, QStringLiteral("business_email")).value(u"cap").toInt(), 12);
    const QJsonObject chatbotRule = document.value(u"behaviour")
                                        .toObject()
                                        .value(u"groups")
                                        .toArray()
                                        .at(0)
                                        .toObject()
                                        .value(u"rules")
                                        .toArray()
                                        .at(2)
                                        .toObject();
    QCOMPARE(chatbotRule.value(u"id").toString(), QStringLiteral("answered_question"));
    QVERIFY(!chatbotRule.contains(u"cap"));
    // Whatever the table wrote, the rules read the same way.
    auto rules = Core::ScoringRules::parse(dialog.document());
    LD_VERIFY_OK(rules);
    QCOMPARE(rules->decayHalfLifeDays(), 14);
    QCOMPARE(rules->gradeFor(72), QStringLiteral("A"));

    // Off again: no decay block, no ticks.
    dialog.decayBox()->setChecked(false);
    QVERIFY(!parsed(dialog.document()).contains(u"decay"));
    QVERIFY(behaviour->data(ScoringRulesDialog::FadesColumn, Qt::CheckStateRole).isNull());
}

void TestScoringRulesDialog::jsonEditorChecksAsYouType()
{
    ScoringRulesDialog dialog(*m_engine);
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    dialog.findChild<QPushButton *>(QStringLiteral("editJsonButton"))->click();
    auto *editor = dialog.findChild<Ui::ScoringJsonDialog *>(QStringLiteral("scoringJsonDialog"));
    QVERIFY(editor);
    QVERIFY(editor->isValid());
    QCOMPARE(editor->document(), dialog.document());
    auto *ok = editor->findChild<QDialogButtonBox *>(QStringLiteral("buttonBox"))
                   ->button(QDialogButtonBox::Ok);

    // A syntax error: where it is, by line and column.
    editor->setDocument("{\n  \"version\": 1,\n  \"lead\": {\n    \"grades\": [,]\n}");
    QCOMPARE(editor->errorText(), QStringLiteral("Line 4, column 17: illegal value"));
    QVERIFY(!ok->isEnabled());
    // A rule error: its JSON path and reason.
    editor->setDocument(R"({"version": 1, "lead": {"grades": [{"label": "D", "min": 0}],
        "qualification": [{"label": "unqualified", "min": 0}],
        "groups": [{"id": "g", "max": 10, "rules": [{"id": "r", "points": "ten",
                    "when": {"field": "phone", "op": "not_empty"}}]}]}})");
    QCOMPARE(editor->errorText(),
             QStringLiteral("lead.groups[0].rules[0].points: must be a number"));
    QVERIFY(!ok->isEnabled());
    // Typing is checked once it pauses.
    auto *text = editor->findChild<QPlainTextEdit *>(QStringLiteral("jsonEdit"));
    const QByteArray mine = R"({"version": 1, "lead": {"grades": [{"label": "D", "min": 0}],
        "qualification": [{"label": "unqualified", "min": 0}],
        "groups": [{"id": "only", "label": "Only group", "max": 10, "rules": [{"id": "r",
                    "points": 10, "when": {"field": "phone", "op": "not_empty"}}]}]}})";
    text->setPlainText(QString::fromUtf8(mine));
    QTRY_VERIFY(editor->errorText().isEmpty());
    QVERIFY(ok->isEnabled());
    ok->click();
    // The rules dialog now shows that document.
    QCOMPARE(dialog.document(), mine);
    QCOMPARE(dialog.rulesTree()->topLevelItemCount(), 1);
    QCOMPARE(dialog.rulesTree()->topLevelItem(0)->text(ScoringRulesDialog::RuleColumn),
             QStringLiteral("Only group"));
}

void TestScoringRulesDialog::restoreDefaults()
{
    const QByteArray own = R"({"version": 1, "lead": {"grades": [{"label": "D", "min": 0}],
        "qualification": [{"label": "unqualified", "min": 0}],
        "groups": [{"id": "g", "max": 10, "rules": [{"id": "r", "points": 10,
                    "when": {"field": "phone", "op": "not_empty"}}]}]}})";
    auto saved = m_engine->saveScoringRules(own);
    QTRY_VERIFY_WITH_TIMEOUT(saved.isFinished(), kTimeoutMs);
    LD_VERIFY_OK(saved.result());
    QTRY_COMPARE_WITH_TIMEOUT(m_engine->scoringRules()->document(), own, kTimeoutMs);
    QTRY_VERIFY_WITH_TIMEOUT(!m_engine->isRescoring(), kTimeoutMs);

    ScoringRulesDialog dialog(*m_engine);
    QCOMPARE(dialog.rulesTree()->topLevelItemCount(), 1);
    dialog.findChild<QPushButton *>(QStringLiteral("restoreDefaultsButton"))->click();
    QCOMPARE(dialog.document(), Core::ScoringRules::loadDefault()->document());
    QCOMPARE(dialog.rulesTree()->topLevelItemCount(), 5);
}

void TestScoringRulesDialog::nothingChangedClosesWithoutSaving()
{
    ScoringRulesDialog dialog(*m_engine);
    QSignalSpy started(m_engine.get(), &Sync::Engine::rescoreStarted);
    saveButton(dialog)->click();
    QCOMPARE(dialog.result(), int(QDialog::Accepted));
    QVERIFY(!dialog.isBusy());
    QCOMPARE(started.count(), 0);
}

QTEST_MAIN(TestScoringRulesDialog)
#include "tst_scoringrulesdialog.moc"

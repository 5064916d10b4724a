#include "scoringrulesdialog.h"
#include "ui_scoringrulesdialog.h"

#include "engine.h"
#include "formatting.h"
#include "onresult.h"
#include "scoringjsondialog.h"
#include "scoringrules.h"

#include <QHeaderView>
#include <QJsonArray>
#include <QJsonDocument>
#include <QPushButton>
#include <QSpinBox>
#include <QStyledItemDelegate>

#include <climits>

namespace LeadDesk::Ui {

namespace {

// Where an item's numbers live in the document, and what they may be.
constexpr int kPathRole = Qt::UserRole + 1; // QStringList: "lead", "groups", "0", "rules", "2"
constexpr int kMinRole = Qt::UserRole + 2;
constexpr int kMaxRole = Qt::UserRole + 3;
constexpr int kIdRole = Qt::UserRole + 4;
constexpr int kNoCap = -1; // a rule's cap column when the rule has none

const QString kBad = QStringLiteral("color: #b3261e;");

QJsonValue valueAt(const QJsonValue &node, QStringList path)
{
    if (path.isEmpty())
        return node;
    const QString head = path.takeFirst();
    if (node.isArray())
        return valueAt(node.toArray().at(head.toInt()), path);
    return valueAt(node.toObject().value(head), path);
}

// The document with the value at `path` replaced; an undefined value removes the key.
QJsonValue withValue(const QJsonValue &node, QStringList path, const QJsonValue &value)
{
    if (path.isEmpty())
        return value;
    const QString head = path.takeFirst();
    if (node.isArray()) {
        QJsonArray array = node.toArray();
        const int index = head.toInt();
        array[index] = withValue(array.at(index), path, value);
        return array;
    }
    QJsonObject object = node.toObject();
    if (path.isEmpty() && value.isUndefined())
        object.remove(head);
    else
        object[head] = withValue(object.value(head), path, value);
    return object;
}

QString readable(const QString &id)
{
    return Formatting::keyLabel(id);
}

QString fieldName(const QString &field)
{
    return readable(field.startsWith(QLatin1String("details.")) ? field.mid(8) : field).toLower();
}

QString joined(const QJsonArray &values, int most = 4)
{
    QStringList texts;
    for (const QJsonValue &value : values)
        texts << QLatin1Char('"') + value.toString() + QLatin1Char('"');
    if (texts.size() > most)
        return texts.mid(0, most).join(QStringLiteral(", ")) + QStringLiteral(", …");
    return texts.join(QStringLiteral(", "));
}

// A rule's condition in words, from the document.
QString describe(const QJsonObject &rule)
{
    if (rule.contains(u"event")) {
        QString text = QObject::tr("chatbot event \"%1\"").arg(rule.value(u"event").toString());
        if (rule.value(u"once") == QJsonValue(false))
            text += QObject::tr(", each time");
        return text;
    }
    const QJsonObject when = rule.value(u"when").toObject();
    QStringList fields;
    if (when.contains(u"field"))
        fields << fieldName(when.value(u"field").toString());
    for (const QJsonValue &field : when.value(u"fields").toArray())
        fields << fieldName(field.toString());
    const QString field = fields.join(QObject::tr(" or "));
    const QString op = when.value(u"op").toString();
    const QString values = when.contains(u"list")
                               ? QObject::tr("the list \"%1\"").arg(when.value(u"list").toString())
                               : joined(when.value(u"values").toArray());
    if (op == QLatin1String("equals"))
        return QObject::tr("%1 is \"%2\"").arg(field, when.value(u"value").toString());
    if (op == QLatin1String("in"))
        return QObject::tr("%1 is one of %2").arg(field, values);
    if (op == QLatin1String("not_in"))
        return QObject::tr("%1 given, not one of %2").arg(field, values);
    if (op == QLatin1String("not_empty"))
        return QObject::tr("%1 given").arg(field);
    if (op == QLatin1String("empty"))
        return QObject::tr("no %1").arg(field);
    if (op == QLatin1String("domain_in"))
        return QObject::tr("%1 at a domain in %2").arg(field, values);
    if (op == QLatin1String("domain_not_in"))
        return QObject::tr("%1 at a domain not in %2").arg(field, values);
    if (op == QLatin1String("map")) {
        QStringList pairs;
        const QJsonObject map = when.value(u"map").toObject();
        for (auto it = map.begin(); it != map.end(); ++it)
            pairs << QStringLiteral("%1 %2").arg(it.key()).arg(it.value().toInt());
        const QString prefix = when.value(u"match") == QJsonValue(QStringLiteral("prefix"))
                                   ? QObject::tr(" (starts with)")
                                   : QString();
        return QObject::tr("%1 by value%2: %3")
            .arg(field, prefix,
                 pairs.size() > 5
                     ? pairs.mid(0, 5).join(QStringLiteral(", ")) + QStringLiteral(", …")
                     : pairs.join(QStringLiteral(", ")));
    }
    if (op == QLatin1String("range")) {
        QStringList bounds;
        for (const auto &[key, sign] : {std::pair{"gt", ">"}, std::pair{"gte", "≥"},
                                        std::pair{"lt", "<"}, std::pair{"lte", "≤"}}) {
            if (when.contains(QLatin1String(key)))
                bounds << QStringLiteral("%1 %2")
                              .arg(QString::fromUtf8(sign))
                              .arg(when.value(QLatin1String(key)).toDouble());
        }
        return QStringLiteral("%1 %2").arg(field, bounds.join(QObject::tr(" and ")));
    }
    return op;
}

// Numbers edited in place, within the item's own range; a rule's cap can be "none".
class NumberDelegate final : public QStyledItemDelegate
{
public:
    using QStyledItemDelegate::QStyledItemDelegate;

    QWidget *createEditor(QWidget *parent, const QStyleOptionViewItem &,
                          const QModelIndex &index) const override
    {
        if (!index.data(kMaxRole).isValid())
            return nullptr; // names, conditions, points given by value: not edited here
        auto *spin = new QSpinBox(parent);
        spin->setFrame(false);
        spin->setRange(index.data(kMinRole).toInt(), index.data(kMaxRole).toInt());
        if (spin->minimum() == kNoCap)
            spin->setSpecialValueText(QObject::tr("none"));
        return spin;
    }
    void setEditorData(QWidget *editor, const QModelIndex &index) const override
    {
        static_cast<QSpinBox *>(editor)->setValue(index.data(Qt::EditRole).toInt());
    }
    void setModelData(QWidget *editor, QAbstractItemModel *model,
                      const QModelIndex &index) const override
    {
        auto *spin = static_cast<QSpinBox *>(editor);
        spin->interpretText();
        model->setData(index, spin->value(), Qt::EditRole);
    }

protected:
    void initStyleOption(QStyleOptionViewItem *option, const QModelIndex &index) const override
    {
        QStyledItemDelegate::initStyleOption(option, index);
        if (index.data(kMinRole).toInt() == kNoCap && index.data(Qt::EditRole).toInt() == kNoCap)
            option->text = QStringLiteral("—");
    }
};

} // namespace

ScoringRulesDialog::ScoringRulesDialog(Sync::Engine &engine, QWidget *parent)
    : QDialog(parent)
    , m_ui(std::make_unique<Ui_ScoringRulesDialog>())
    , m_engine(engine)
{
    m_ui->setupUi(this);
    m_ui->introLabel->setText(
        tr("Points a lead earns for what it tells you, group by group; each group counts up to its "
           "maximum and a lead's score up to 100. Double-click a number to change it. Saving "
           "rescores every lead in the background."));
    m_ui->errorLabel->setStyleSheet(kBad);
    m_ui->errorLabel->setMinimumHeight(2 * fontMetrics().lineSpacing());
    m_ui->errorLabel->setAlignment(Qt::AlignLeft | Qt::AlignTop);
    m_ui->busyLabel->hide();
    m_ui->mainLayout->setStretchFactor(m_ui->rulesTree, 1); // the table takes what room there is
    QTreeWidget *tree = m_ui->rulesTree;
    tree->setItemDelegate(new NumberDelegate(tree));
    QHeaderView *header = tree->header();
    header->setStretchLastSection(false);
    header->setSectionResizeMode(RuleColumn, QHeaderView::Interactive);
    header->setSectionResizeMode(WhenColumn, QHeaderView::Stretch);
    header->resizeSection(RuleColumn, 260);
    for (const int column : {PointsColumn, CapColumn, FadesColumn})
        header->setSectionResizeMode(column, QHeaderView::ResizeToContents);
    m_ui->buttonBox->button(QDialogButtonBox::Save)->setDefault(true);
    m_ui->buttonBox->button(QDialogButtonBox::Cancel)->setAutoDefault(false);

    connect(tree, &QTreeWidget::itemChanged, this, &ScoringRulesDialog::itemEdited);
    connect(m_ui->decayBox, &QGroupBox::toggled, this, &ScoringRulesDialog::decayEdited);
    connect(m_ui->halfLifeSpin, &QSpinBox::valueChanged, this, &ScoringRulesDialog::decayEdited);
    connect(m_ui->floorSpin, &QSpinBox::valueChanged, this, &ScoringRulesDialog::decayEdited);
    connect(m_ui->editJsonButton, &QPushButton::clicked, this, &ScoringRulesDialog::editJson);
    connect(m_ui->restoreDefaultsButton, &QPushButton::clicked, this,
            &ScoringRulesDialog::restoreDefaults);
    connect(m_ui->buttonBox, &QDialogButtonBox::accepted, this, &ScoringRulesDialog::accept);
    connect(m_ui->buttonBox, &QDialogButtonBox::rejected, this, &QDialog::reject);

    m_saved = engine.scoringRules()->document();
    setDocument(m_saved);
}

ScoringRulesDialog::~ScoringRulesDialog() = default;

QByteArray ScoringRulesDialog::document() const
{
    return m_text;
}

bool ScoringRulesDialog::setDocument(const QByteArray &document)
{
    if (auto rules = Core::ScoringRules::parse(document); !rules) {
        m_ui->errorLabel->setText(rules.error().toString());
        return false;
    }
    m_root = QJsonDocument::fromJson(document).object();
    m_text = document;
    populate();
    check();
    return true;
}

QTreeWidget *ScoringRulesDialog::rulesTree() const
{
    return m_ui->rulesTree;
}

QTreeWidgetItem *ScoringRulesDialog::itemFor(const QString &id) const
{
    for (int g = 0; g < m_ui->rulesTree->topLevelItemCount(); ++g) {
        QTreeWidgetItem *group = m_ui->rulesTree->topLevelItem(g);
        if (group->data(RuleColumn, kIdRole).toString() == id)
            return group;
        for (int r = 0; r < group->childCount(); ++r) {
            if (group->child(r)->data(RuleColumn, kIdRole).toString() == id)
                return group->child(r);
        }
    }
    return nullptr;
}

QSpinBox *ScoringRulesDialog::thresholdSpin(const QString &bands, int index) const
{
    return findChild<QSpinBox *>(QStringLiteral("%1Spin%2").arg(bands).arg(index));
}

QGroupBox *ScoringRulesDialog::decayBox() const
{
    return m_ui->decayBox;
}

QSpinBox *ScoringRulesDialog::halfLifeSpin() const
{
    return m_ui->halfLifeSpin;
}

QString ScoringRulesDialog::errorText() const
{
    return m_ui->errorLabel->text();
}

bool ScoringRulesDialog::canSave() const
{
    return m_valid && !m_busy;
}

void ScoringRulesDialog::populate()
{
    m_populating = true;
    QTreeWidget *tree = m_ui->rulesTree;
    tree->clear();
    const QJsonObject decay = m_root.value(u"decay").toObject();
    const bool decays = m_root.contains(u"decay");
    const QJsonArray appliesTo = decay.value(u"applies_to").toArray();
    for (const QString &model : {QStringLiteral("lead"), QStringLiteral("behaviour")}) {
        const QJsonArray groups = m_root.value(model).toObject().value(u"groups").toArray();
        for (int g = 0; g < groups.size(); ++g) {
            const QJsonObject group = groups.at(g).toObject();
            const QString groupId = group.value(u"id").toString();
            auto *groupItem = new QTreeWidgetItem(tree);
            groupItem->setText(RuleColumn, group.value(u"label").toString(readable(groupId)));
            QFont bold = groupItem->font(RuleColumn);
            bold.setBold(true);
            groupItem->setFont(RuleColumn, bold);
            groupItem->setData(RuleColumn, kIdRole, groupId);
            groupItem->setToolTip(RuleColumn, groupId);
            groupItem->setText(WhenColumn, model == QLatin1String("lead")
                                               ? tr("from what the lead sent")
                                               : tr("from the lead's chatbot conversation"));
            groupItem->setData(CapColumn, Qt::EditRole, group.value(u"max").toInt());
            groupItem->setData(CapColumn, kMinRole, 0);
            groupItem->setData(CapColumn, kMaxRole, 100);
            groupItem->setToolTip(CapColumn, tr("The most points this group adds to a score"));
            groupItem->setData(RuleColumn, kPathRole,
                               QStringList{model, QStringLiteral("groups"), QString::number(g)});
            groupItem->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemIsEditable
                                | (decays ? Qt::ItemIsUserCheckable : Qt::NoItemFlags));
            groupItem->setCheckState(
                FadesColumn,
                decays && (appliesTo.isEmpty() || appliesTo.contains(QJsonValue(groupId)))
                    ? Qt::Checked
                    : Qt::Unchecked);
            if (!decays)
                groupItem->setData(FadesColumn, Qt::CheckStateRole, QVariant());

            const QJsonArray rules = group.value(u"rules").toArray();
            for (int r = 0; r < rules.size(); ++r) {
                const QJsonObject rule = rules.at(r).toObject();
                const QString id = rule.value(u"id").toString();
                auto *item = new QTreeWidgetItem(groupItem);
                item->setText(RuleColumn, rule.value(u"label").toString(readable(id)));
                item->setToolTip(RuleColumn, id);
                item->setData(RuleColumn, kIdRole, id);
                item->setData(RuleColumn, kPathRole,
                              QStringList{model, QStringLiteral("groups"), QString::number(g),
                                          QStringLiteral("rules"), QString::number(r)});
                item->setText(WhenColumn, describe(rule));
                item->setToolTip(WhenColumn, item->text(WhenColumn));
                Qt::ItemFlags flags = Qt::ItemIsEnabled | Qt::ItemIsSelectable;
                if (rule.contains(u"points")) {
                    item->setData(PointsColumn, Qt::EditRole, rule.value(u"points").toInt());
                    item->setData(PointsColumn, kMinRole, -1000);
                    item->setData(PointsColumn, kMaxRole, 1000);
                    flags |= Qt::ItemIsEditable;
                } else {
                    // A map gives points by value: edited as JSON.
                    int low = INT_MAX;
                    int high = INT_MIN;
                    const QJsonObject map = rule.value(u"when").toObject().value(u"map").toObject();
                    for (const QJsonValue &points : map) {
                        low = std::min(low, points.toInt());
                        high = std::max(high, points.toInt());
                    }
                    item->setText(PointsColumn, low == high
                                                    ? QString::number(low)
                                                    : QStringLiteral("%1–%2").arg(low).arg(high));
                    item->setToolTip(PointsColumn,
                                     tr("Points by value: change them with Edit JSON"));
                }
                item->setData(CapColumn, Qt::EditRole, rule.value(u"cap").toInt(kNoCap));
                item->setData(CapColumn, kMinRole, kNoCap);
                item->setData(CapColumn, kMaxRole, 1000);
                item->setToolTip(CapColumn, tr("The most points this rule gives"));
                item->setFlags(flags | Qt::ItemIsEditable);
            }
        }
    }
    tree->expandAll();

    m_ui->decayBox->setChecked(decays);
    m_ui->halfLifeSpin->setValue(decay.value(u"half_life_days").toInt(30));
    m_ui->floorSpin->setValue(decay.value(u"floor").toInt(0));
    populateThresholds();
    m_populating = false;
}

void ScoringRulesDialog::populateThresholds()
{
    QFormLayout *form = m_ui->thresholdsForm;
    while (form->rowCount() > 0)
        form->removeRow(0);
    const QJsonObject lead = m_root.value(u"lead").toObject();
    m_ui->thresholdsBox->setVisible(!lead.isEmpty());
    for (const QString &bands : {QStringLiteral("grades"), QStringLiteral("qualification")}) {
        const QJsonArray array = lead.value(bands).toArray();
        // The last band starts at 0, always.
        for (int i = 0; i + 1 < array.size(); ++i) {
            const QString label = array.at(i).toObject().value(u"label").toString();
            auto *spin = new QSpinBox(m_ui->thresholdsBox);
            spin->setObjectName(QStringLiteral("%1Spin%2").arg(bands).arg(i));
            spin->setRange(1, 100);
            spin->setValue(array.at(i).toObject().value(u"min").toInt());
            spin->setSuffix(tr(" points"));
            form->addRow(bands == QLatin1String("grades")
                             ? tr("Grade %1 from:").arg(label)
                             : tr("%1 from:").arg(Formatting::qualificationLabel(label)),
                         spin);
            connect(spin, &QSpinBox::valueChanged, this, [this, bands, i](int value) {
                if (m_populating)
                    return;
                m_root = withValue(m_root,
                                   {QStringLiteral("lead"), bands, QString::number(i),
                                    QStringLiteral("min")},
                                   value)
                             .toObject();
                edited();
            });
        }
    }
}

void ScoringRulesDialog::itemEdited(QTreeWidgetItem *item, int column)
{
    if (m_populating)
        return;
    if (column == FadesColumn) {
        fadesEdited();
        return;
    }
    const QStringList path = item->data(RuleColumn, kPathRole).toStringList();
    const int value = item->data(column, Qt::EditRole).toInt();
    const bool group = item->parent() == nullptr;
    if (column == PointsColumn && !group) {
        m_root = withValue(m_root, path + QStringList{QStringLiteral("points")}, value).toObject();
    } else if (column == CapColumn && group) {
        m_root = withValue(m_root, path + QStringList{QStringLiteral("max")}, value).toObject();
    } else if (column == CapColumn) {
        m_root = withValue(m_root, path + QStringList{QStringLiteral("cap")},
                           value == kNoCap ? QJsonValue(QJsonValue::Undefined) : QJsonValue(value))
                     .toObject();
    } else {
        return;
    }
    edited();
}

void ScoringRulesDialog::decayEdited()
{
    if (m_populating)
        return;
    const bool on = m_ui->decayBox->isChecked();
    if (!on) {
        m_root.remove(QStringLiteral("decay"));
    } else {
        QJsonObject decay = m_root.value(u"decay").toObject();
        decay[QStringLiteral("half_life_days")] = m_ui->halfLifeSpin->value();
        if (m_ui->floorSpin->value() > 0)
            decay[QStringLiteral("floor")] = m_ui->floorSpin->value();
        else
            decay.remove(QStringLiteral("floor"));
        m_root[QStringLiteral("decay")] = decay;
    }
    // The "Fades" ticks come and go with decay: every group fades until the owner says otherwise.
    m_populating = true;
    for (int g = 0; g < m_ui->rulesTree->topLevelItemCount(); ++g) {
        QTreeWidgetItem *group = m_ui->rulesTree->topLevelItem(g);
        group->setFlags(on ? group->flags() | Qt::ItemIsUserCheckable
                           : group->flags() & ~Qt::ItemIsUserCheckable);
        if (!on)
            group->setData(FadesColumn, Qt::CheckStateRole, QVariant());
        else if (group->data(FadesColumn, Qt::CheckStateRole).isNull())
            group->setCheckState(FadesColumn, Qt::Checked);
    }
    m_populating = false;
    if (on)
        fadesEdited();
    else
        edited();
}

void ScoringRulesDialog::fadesEdited()
{
    if (!m_root.contains(u"decay"))
        return;
    QJsonArray appliesTo;
    bool all = true;
    for (int g = 0; g < m_ui->rulesTree->topLevelItemCount(); ++g) {
        QTreeWidgetItem *group = m_ui->rulesTree->topLevelItem(g);
        if (group->checkState(FadesColumn) == Qt::Checked)
            appliesTo.append(group->data(RuleColumn, kIdRole).toString());
        else
            all = false;
    }
    QJsonObject decay = m_root.value(u"decay").toObject();
    if (all)
        decay.remove(QStringLiteral("applies_to"));
    else
        decay[QStringLiteral("applies_to")] = appliesTo;
    m_root[QStringLiteral("decay")] = decay;
    edited();
}

void ScoringRulesDialog::edited()
{
    m_text = QJsonDocument(m_root).toJson(QJsonDocument::Indented);
    check();
}

void ScoringRulesDialog::check()
{
    const auto rules = Core::ScoringRules::parse(m_text);
    m_valid = rules.has_value();
    m_ui->errorLabel->setText(m_valid ? QString() : rules.error().toString());
    m_ui->buttonBox->button(QDialogButtonBox::Save)->setEnabled(canSave());
}

void ScoringRulesDialog::editJson()
{
    auto *editor = new ScoringJsonDialog(m_text, this);
    editor->setObjectName(QStringLiteral("scoringJsonDialog"));
    editor->setAttribute(Qt::WA_DeleteOnClose);
    connect(editor, &QDialog::accepted, this, [this, editor] { setDocument(editor->document()); });
    editor->open();
}

void ScoringRulesDialog::restoreDefaults()
{
    auto defaults = Core::ScoringRules::loadDefault();
    if (!defaults) {
        m_ui->errorLabel->setText(defaults.error().toString());
        return;
    }
    setDocument(defaults->document());
}

void ScoringRulesDialog::accept()
{
    if (m_busy)
        return;
    check();
    if (!m_valid)
        return;
    if (m_text == m_saved) {
        QDialog::accept(); // nothing to store, nothing to rescore
        return;
    }
    setBusy(true);
    onResult(m_engine.saveScoringRules(m_text), this, [this](const Core::Result<void> &saved) {
        setBusy(false);
        if (!saved) {
            m_ui->errorLabel->setText(tr("Not saved: %1").arg(saved.error().toString()));
            Q_EMIT saveFailed(saved.error().toString());
            return;
        }
        QDialog::accept();
    });
}

void ScoringRulesDialog::setBusy(bool busy)
{
    m_busy = busy;
    m_ui->busyLabel->setVisible(busy);
    for (QWidget *widget :
         {static_cast<QWidget *>(m_ui->rulesTree), static_cast<QWidget *>(m_ui->thresholdsBox),
          static_cast<QWidget *>(m_ui->decayBox), static_cast<QWidget *>(m_ui->editJsonButton),
          static_cast<QWidget *>(m_ui->restoreDefaultsButton)})
        widget->setEnabled(!busy);
    m_ui->buttonBox->button(QDialogButtonBox::Save)->setEnabled(canSave());
}

} // namespace LeadDesk::Ui

#include "scoringjsondialog.h"
#include "ui_scoringjsondialog.h"

#include "scoringrules.h"

#include <QFontDatabase>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QPushButton>
#include <QTextBlock>
#include <QTimer>

namespace LeadDesk::Ui {

ScoringJsonDialog::ScoringJsonDialog(const QByteArray &document, QWidget *parent)
    : QDialog(parent)
    , m_ui(std::make_unique<Ui_ScoringJsonDialog>())
    , m_pause(new QTimer(this))
{
    m_ui->setupUi(this);
    m_ui->jsonEdit->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_ui->jsonEdit->setTabStopDistance(4 * m_ui->jsonEdit->fontMetrics().horizontalAdvance(u' '));
    m_ui->errorLabel->setStyleSheet(QStringLiteral("color: #b3261e;"));
    m_ui->errorLabel->setMinimumHeight(2 * fontMetrics().lineSpacing());
    m_ui->errorLabel->setAlignment(Qt::AlignLeft | Qt::AlignTop);
    // Checked once typing pauses: parsing a large document on every key would lag.
    m_pause->setSingleShot(true);
    m_pause->setInterval(300);
    connect(m_pause, &QTimer::timeout, this, &ScoringJsonDialog::validate);
    connect(m_ui->jsonEdit, &QPlainTextEdit::textChanged, m_pause, qOverload<>(&QTimer::start));
    connect(m_ui->buttonBox, &QDialogButtonBox::accepted, this, [this] {
        validate();
        if (m_valid)
            accept();
    });
    connect(m_ui->buttonBox, &QDialogButtonBox::rejected, this, &QDialog::reject);
    setDocument(document);
}

ScoringJsonDialog::~ScoringJsonDialog() = default;

QByteArray ScoringJsonDialog::document() const
{
    return m_ui->jsonEdit->toPlainText().toUtf8();
}

void ScoringJsonDialog::setDocument(const QByteArray &document)
{
    m_ui->jsonEdit->setPlainText(QString::fromUtf8(document));
    validate();
}

QString ScoringJsonDialog::errorText() const
{
    return m_ui->errorLabel->text();
}

void ScoringJsonDialog::validate()
{
    m_pause->stop();
    const QByteArray text = document();
    QString error;
    QList<QTextEdit::ExtraSelection> marks;
    QJsonParseError syntax;
    (void)QJsonDocument::fromJson(text, &syntax);
    if (syntax.error != QJsonParseError::NoError) {
        // The parser's offset is in bytes of the UTF-8 text: count lines and characters to it.
        const QByteArray before = text.left(syntax.offset);
        const qsizetype lineStart = before.lastIndexOf('\n') + 1;
        const int line = int(before.count('\n')) + 1;
        const int column = int(QString::fromUtf8(before.mid(lineStart)).size()) + 1;
        error = tr("Line %1, column %2: %3").arg(line).arg(column).arg(syntax.errorString());
        QTextEdit::ExtraSelection mark;
        mark.cursor = QTextCursor(m_ui->jsonEdit->document()->findBlockByNumber(line - 1));
        mark.format.setBackground(QColor(0xb3, 0x26, 0x1e, 40));
        mark.format.setProperty(QTextFormat::FullWidthSelection, true);
        marks << mark;
    } else if (auto rules = Core::ScoringRules::parse(text); !rules) {
        error = rules.error().toString();
    }
    m_ui->jsonEdit->setExtraSelections(marks);
    m_ui->errorLabel->setText(error);
    m_valid = error.isEmpty();
    m_ui->buttonBox->button(QDialogButtonBox::Ok)->setEnabled(m_valid);
}

} // namespace LeadDesk::Ui

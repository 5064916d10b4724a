#pragma once

#include "leadrecord.h"
#include "result.h"

#include <QHash>
#include <QStringList>

namespace LeadDesk::Core {

// How a lead vendor's CSV columns map onto LeadDesk's fields. Each profile lists header aliases
// per canonical field, matched ignoring case, white space, '_', '-', '.' and a byte-order mark, so
// "First Name", "FIRST_NAME", "first-name" and "FirstName" are one name. Unknown columns are kept
// as raw details so nothing a vendor sends is lost.
class VendorProfile final
{
public:
    // The type a canonical detail value is normalised to.
    enum class DetailType { Text, Integer, Money, Boolean, CreditScore, Date, Percent };

    // The columns of one file resolved against a profile.
    struct ColumnMap
    {
        QList<int> columnField; // per column: index into fields(), or -1 for an unmapped column
        QStringList header;     // the file's header as read
        QStringList detailKeys; // per column: the details key an unmapped column's value gets
        bool hasEmailColumn = false;
        bool hasPhoneColumn = false;
    };

    // "experian", "transunion", "leadsource", "generic".
    static QStringList sourceNames();
    static Result<VendorProfile> forSource(const QString &name);

    [[nodiscard]] const QString &name() const { return m_name; }
    // Canonical field names: RawLead members ("first_name", "email", "phone", "state", ...) and
    // details ("credit_score", "desired_loan_amount", ...), each with the header names the
    // profile accepts for it (the canonical name first). The same fields, in the same order, for
    // every profile.
    [[nodiscard]] const QList<std::pair<QString, QStringList>> &fields() const { return m_fields; }

    // Resolves a header row. A header with neither an email nor a phone column is the wrong file.
    // When two columns map to one field, the first wins and the later ones stay raw details.
    [[nodiscard]] Result<ColumnMap> mapHeader(const QStringList &header) const;

    // Builds the raw lead of one record (channel "csv"); unmapped non-empty columns go to
    // details under their original header name, values past the header under "column_<n>".
    [[nodiscard]] RawLead toRawLead(const ColumnMap &map, const QStringList &record) const;

    // The type of a canonical detail key; Text for keys it does not know.
    [[nodiscard]] static DetailType detailType(const QString &key);
    // True for the canonical names that are RawLead members rather than details.
    [[nodiscard]] static bool isLeadMember(const QString &key);

    // Every profile's fields and accepted header names as Markdown tables, for the README.
    [[nodiscard]] static QString aliasReference();

private:
    QString m_name;
    QString m_wrongFileHint; // "an Experian trigger file"
    QList<std::pair<QString, QStringList>> m_fields;
    QHash<QString, int> m_lookup; // normalised header name -> index into m_fields
};

} // namespace LeadDesk::Core

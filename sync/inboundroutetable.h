#pragma once

#include "inboundroute.h"

#include <QByteArrayView>
#include <QHash>
#include <QList>
#include <QString>

#include <memory>
#include <vector>

namespace LeadDesk::Sync {

// The receiver's routes, matched by method and path. Patterns are literal segments and {name}
// segments ("/v1/api/leads/{lead_id}/status"); a literal segment wins over a {name} one at the
// same place, so "/v1/api/leads/export" could sit beside "/v1/api/leads/{lead_id}". Built once
// before the server starts, then only read (from any thread).
class InboundRouteTable final
{
public:
    struct Match
    {
        const InboundRoute *route = nullptr; // null: no route for this method (see `allowed`)
        const InboundRoute::Spec *spec = nullptr;
        QHash<QString, QString> params;
        QList<QByteArray> allowed; // the methods the path has, when the path matched but the
                                   // method did not (405 with Allow); empty: unknown path (404)
    };

    // Fails when the pattern is malformed or its method and pattern are already taken.
    Core::Result<void> add(std::shared_ptr<const InboundRoute> route);

    [[nodiscard]] Match match(QByteArrayView method, const QString &path) const;
    [[nodiscard]] const InboundRoute *byName(const QString &name) const;
    [[nodiscard]] QList<InboundRoute::Spec> specs() const;
    [[nodiscard]] bool isEmpty() const { return m_entries.empty(); }

private:
    struct Entry
    {
        std::shared_ptr<const InboundRoute> route;
        InboundRoute::Spec spec; // spec() once: it is read on every request
        QStringList segments;    // "{name}" kept as is
    };
    [[nodiscard]] static bool matches(const Entry &entry, const QStringList &segments,
                                      QHash<QString, QString> *params, int *literalCount);

    std::vector<Entry> m_entries;
};

} // namespace LeadDesk::Sync

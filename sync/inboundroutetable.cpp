#include "inboundroutetable.h"

namespace LeadDesk::Sync {

namespace {

bool isParameter(const QString &segment)
{
    return segment.size() > 2 && segment.startsWith(QLatin1Char('{'))
           && segment.endsWith(QLatin1Char('}'));
}

QStringList segmentsOf(const QString &path)
{
    return path.split(QLatin1Char('/'), Qt::SkipEmptyParts);
}

// The pattern's shape: "/x/{id}" and "/x/{other}" match the same paths.
QStringList shapeOf(const QStringList &segments)
{
    QStringList shape = segments;
    for (QString &segment : shape) {
        if (isParameter(segment))
            segment = QStringLiteral("{}");
    }
    return shape;
}

} // namespace

Core::Result<void> InboundRouteTable::add(std::shared_ptr<const InboundRoute> route)
{
    if (!route)
        return Core::fail(QStringLiteral("no route given"));
    Entry entry;
    entry.spec = route->spec();
    entry.route = std::move(route);
    const InboundRoute::Spec &spec = entry.spec;
    if (spec.name.isEmpty() || spec.method.isEmpty() || !spec.pattern.startsWith(QLatin1Char('/')))
        return Core::fail(QStringLiteral("route '%1' needs a name, a method and a pattern "
                                         "starting with '/'")
                              .arg(spec.name));
    entry.segments = segmentsOf(spec.pattern);
    for (const QString &segment : std::as_const(entry.segments)) {
        if (!isParameter(segment)
            && (segment.contains(QLatin1Char('{')) || segment.contains(QLatin1Char('}'))))
            return Core::fail(
                QStringLiteral("route '%1': malformed segment '%2'").arg(spec.name, segment));
    }
    for (const Entry &other : m_entries) {
        if (other.spec.name == spec.name)
            return Core::fail(QStringLiteral("two routes are named '%1'").arg(spec.name));
        if (other.spec.method == spec.method && shapeOf(other.segments) == shapeOf(entry.segments))
            return Core::fail(QStringLiteral("routes '%1' and '%2' both serve %3 %4")
                                  .arg(other.spec.name, spec.name, QString::fromLatin1(spec.method),
                                       spec.pattern));
    }
    m_entries.push_back(std::move(entry));
    return {};
}

bool InboundRouteTable::matches(const Entry &entry, const QStringList &segments,
                                QHash<QString, QString> *params, int *literalCount)
{
    if (entry.segments.size() != segments.size())
        return false;
    int literals = 0;
    for (qsizetype i = 0; i < segments.size(); ++i) {
        const QString &want = entry.segments.at(i);
        if (isParameter(want)) {
            if (params)
                params->insert(want.mid(1, want.size() - 2), segments.at(i));
        } else if (want == segments.at(i)) {
            ++literals;
        } else {
            return false;
        }
    }
    *literalCount = literals;
    return true;
}

InboundRouteTable::Match InboundRouteTable::match(QByteArrayView method, const QString &path) const
{
    const QStringList segments = segmentsOf(path);
    Match best;
    int bestLiterals = -1;
    for (const Entry &entry : m_entries) {
        int literals = 0;
        if (!matches(entry, segments, nullptr, &literals))
            continue;
        if (entry.spec.method != method) {
            if (!best.allowed.contains(entry.spec.method))
                best.allowed.push_back(entry.spec.method);
            continue;
        }
        if (literals > bestLiterals) {
            bestLiterals = literals;
            best.route = entry.route.get();
            best.spec = &entry.spec;
        }
    }
    if (best.route) {
        int literals = 0;
        for (const Entry &entry : m_entries) {
            if (entry.route.get() == best.route) {
                (void)matches(entry, segments, &best.params, &literals);
                break;
            }
        }
        best.allowed.clear();
    }
    return best;
}

const InboundRoute *InboundRouteTable::byName(const QString &name) const
{
    for (const Entry &entry : m_entries) {
        if (entry.spec.name == name)
            return entry.route.get();
    }
    return nullptr;
}

QList<InboundRoute::Spec> InboundRouteTable::specs() const
{
    QList<InboundRoute::Spec> specs;
    for (const Entry &entry : m_entries)
        specs.push_back(entry.spec);
    return specs;
}

} // namespace LeadDesk::Sync

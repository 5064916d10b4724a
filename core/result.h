#pragma once

#include <QString>

#include <expected>

namespace LeadDesk::Core {

// The reason a synchronous call across a library boundary failed: a human sentence, and the
// input field it concerns when there is one.
struct Error
{
    QString message;
    QString field;

    [[nodiscard]] QString toString() const
    {
        return field.isEmpty() ? message : field + QStringLiteral(": ") + message;
    }
};

template<typename T>
using Result = std::expected<T, Error>;

inline std::unexpected<Error> fail(QString message, QString field = {})
{
    return std::unexpected(Error{std::move(message), std::move(field)});
}

} // namespace LeadDesk::Core

// leaddeskctl user add USERNAME --role owner|admin|rep [--name NAME] [--email ADDRESS]
// leaddeskctl user passwd USERNAME
// leaddeskctl user list
//
// Passwords come from standard input only, never from the command line, where they would
// linger in shell history and be visible to every process through /proc.
#include "ctlcommon.h"

#include "accountservice.h"

#include <QDateTime>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>

#include <termios.h>
#include <unistd.h>

namespace LeadDesk::App {

namespace {

const char *const kUserUsage
    = "usage: leaddeskctl user add USERNAME --role owner|admin|rep [--name NAME] [--email E]\n"
      "       leaddeskctl user passwd USERNAME\n"
      "       leaddeskctl user list\n"
      "\n"
      "The password is read from standard input: typed twice without echo on a terminal, or one\n"
      "line when piped.\n";

// The terminal settings to put back if a signal ends the program while echo is off.
termios s_savedTerminal;
volatile std::sig_atomic_t s_echoOff = 0;

extern "C" void restoreTerminalAndRaise(int signal)
{
    if (s_echoOff)
        tcsetattr(STDIN_FILENO, TCSANOW, &s_savedTerminal);
    std::signal(signal, SIG_DFL);
    std::raise(signal);
}

void wipe(std::string &text)
{
    explicit_bzero(text.data(), text.size());
    text.clear();
}

void wipe(QString &text)
{
    if (!text.isEmpty())
        explicit_bzero(text.data(), size_t(text.size()) * sizeof(QChar));
    text.clear();
}

// One line of standard input without its line ending; false at end of input with nothing read.
bool readLine(std::string &line)
{
    wipe(line);
    line.reserve(256); // fewer reallocations leave fewer stray copies of the secret behind
    bool any = false;
    for (int c = std::fgetc(stdin); c != EOF; c = std::fgetc(stdin)) {
        any = true;
        if (c == '\n')
            break;
        line.push_back(char(c));
    }
    if (!line.empty() && line.back() == '\r')
        line.pop_back();
    return any;
}

std::optional<QString> readNewPassword()
{
    std::string first;
    if (!isatty(STDIN_FILENO)) {
        if (!readLine(first) || first.empty()) {
            printError(QStringLiteral("no password on standard input"));
            return std::nullopt;
        }
        QString password = QString::fromUtf8(first.data(), qsizetype(first.size()));
        wipe(first);
        return password;
    }

    termios quiet{};
    if (tcgetattr(STDIN_FILENO, &s_savedTerminal) != 0) {
        printError(QStringLiteral("cannot read the terminal settings: %1")
                       .arg(QString::fromLocal8Bit(std::strerror(errno))));
        return std::nullopt;
    }
    quiet = s_savedTerminal;
    quiet.c_lflag &= ~tcflag_t(ECHO);
    quiet.c_lflag |= ECHONL; // the Enter key still moves to the next line
    const auto previousInt = std::signal(SIGINT, restoreTerminalAndRaise);
    const auto previousTerm = std::signal(SIGTERM, restoreTerminalAndRaise);
    s_echoOff = 1;
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);

    std::string second;
    std::fputs("New password: ", stderr);
    std::fflush(stderr);
    bool complete = readLine(first);
    if (complete) {
        std::fputs("Repeat the password: ", stderr);
        std::fflush(stderr);
        complete = readLine(second);
    }

    tcsetattr(STDIN_FILENO, TCSAFLUSH, &s_savedTerminal);
    s_echoOff = 0;
    std::signal(SIGINT, previousInt);
    std::signal(SIGTERM, previousTerm);

    std::optional<QString> password;
    if (!complete || first.empty())
        printError(QStringLiteral("no password given"));
    else if (first != second)
        printError(QStringLiteral("the two passwords differ; nothing was changed"));
    else
        password = QString::fromUtf8(first.data(), qsizetype(first.size()));
    wipe(first);
    wipe(second);
    return password;
}

int usageError(const QString &message)
{
    printError(message);
    std::fputs(kUserUsage, stderr);
    return ExitUsage;
}

// The one USERNAME a subcommand takes, or nothing after printing why.
std::optional<QString> singleUsername(const QCommandLineParser &parser, const QString &command)
{
    const QStringList positional = parser.positionalArguments();
    if (positional.isEmpty()) {
        usageError(QStringLiteral("%1 needs a USERNAME").arg(command));
        return std::nullopt;
    }
    if (positional.size() > 1) {
        usageError(
            QStringLiteral("%1 takes one USERNAME, not %2").arg(command).arg(positional.size()));
        return std::nullopt;
    }
    return positional.constFirst().trimmed();
}

// The user with that name (any case), or nothing when there is none.
Core::Result<std::optional<Core::User>> findUser(Core::AccountService &accounts,
                                                 const QString &businessId, const QString &username)
{
    const auto users = accounts.users(businessId);
    if (!users)
        return std::unexpected(users.error());
    for (const Core::User &user : *users) {
        if (user.username.compare(username, Qt::CaseInsensitive) == 0)
            return user;
    }
    return std::nullopt;
}

int addUser(const CtlContext &context)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Add a user to the business. The password is read from standard input."));
    parser.addPositionalArgument(QStringLiteral("username"),
                                 QStringLiteral("3 to 64 letters, digits, '.', '_', '-' or '@'."));
    parser.addOption(
        {QStringLiteral("role"), QStringLiteral("owner, admin or rep."), QStringLiteral("role")});
    parser.addOption({QStringLiteral("name"), QStringLiteral("The name shown in the app."),
                      QStringLiteral("name")});
    parser.addOption(
        {QStringLiteral("email"), QStringLiteral("An e-mail address."), QStringLiteral("address")});
    if (!parseOrExplain(parser, context))
        return ExitUsage;
    const auto username = singleUsername(parser, QStringLiteral("user add"));
    if (!username)
        return ExitUsage;
    if (!parser.isSet(QStringLiteral("role")))
        return usageError(QStringLiteral("user add needs --role owner|admin|rep"));
    Core::Role role = Core::Role::Rep;
    const QString roleText = parser.value(QStringLiteral("role"));
    if (!Core::parseRole(roleText, &role))
        return usageError(
            QStringLiteral("unknown role '%1' (use owner, admin or rep)").arg(roleText));
    // Refuse what is sure to fail before anyone types a password twice.
    if (auto ok = Core::AccountService::checkUsername(*username); !ok) {
        printError(ok.error().toString());
        return ExitFailure;
    }

    auto store = context.openBusinessStore();
    if (!store)
        return ExitFailure;
    auto &[db, business] = *store;
    Core::AccountService accounts(*db);
    const auto existing = findUser(accounts, business.id, *username);
    if (!existing) {
        printError(existing.error().message);
        return ExitFailure;
    }
    if (existing->has_value()) {
        printError(QStringLiteral("the user name '%1' is taken").arg(*username));
        return ExitFailure;
    }

    auto password = readNewPassword();
    if (!password)
        return ExitFailure;
    const auto created
        = accounts.createUser(business.id, *username, parser.value(QStringLiteral("name")),
                              *password, role, parser.value(QStringLiteral("email")));
    wipe(*password);
    if (!created) {
        printError(created.error().toString());
        return ExitFailure;
    }
    out() << "added " << Core::roleName(created->role) << " '" << created->username << "' to "
          << business.name << "\n";
    out().flush();
    return ExitOk;
}

int changePassword(const CtlContext &context)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Set a user's password (and lift a lock-out). The password is read from standard input."));
    parser.addPositionalArgument(QStringLiteral("username"), QStringLiteral("The user."));
    if (!parseOrExplain(parser, context))
        return ExitUsage;
    const auto username = singleUsername(parser, QStringLiteral("user passwd"));
    if (!username)
        return ExitUsage;

    auto store = context.openBusinessStore();
    if (!store)
        return ExitFailure;
    auto &[db, business] = *store;
    Core::AccountService accounts(*db);
    const auto existing = findUser(accounts, business.id, *username);
    if (!existing) {
        printError(existing.error().message);
        return ExitFailure;
    }
    if (!existing->has_value()) {
        printError(QStringLiteral("there is no user named '%1'").arg(*username));
        return ExitFailure;
    }
    const QString storedName = (*existing)->username;

    auto password = readNewPassword();
    if (!password)
        return ExitFailure;
    const auto changed = accounts.changePassword(business.id, storedName, *password);
    wipe(*password);
    if (!changed) {
        printError(changed.error().toString());
        return ExitFailure;
    }
    out() << "changed the password of '" << storedName << "'\n";
    out().flush();
    return ExitOk;
}

int listUsers(const CtlContext &context)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("List the users of the business."));
    if (!parseOrExplain(parser, context))
        return ExitUsage;
    if (!parser.positionalArguments().isEmpty())
        return usageError(QStringLiteral("user list takes no arguments"));

    auto store = context.openBusinessStore();
    if (!store)
        return ExitFailure;
    auto &[db, business] = *store;
    Core::AccountService accounts(*db);
    const auto users = accounts.users(business.id);
    if (!users) {
        printError(users.error().message);
        return ExitFailure;
    }
    if (users->isEmpty()) {
        out() << "no users yet; add one with 'leaddeskctl user add USERNAME --role owner'\n";
        out().flush();
        return ExitOk;
    }

    const qint64 now = Core::Clock::system().nowMs();
    QList<QStringList> rows
        = {{QStringLiteral("USERNAME"), QStringLiteral("ROLE"), QStringLiteral("NAME"),
            QStringLiteral("STATUS"), QStringLiteral("LAST LOGIN")}};
    for (const Core::User &user : *users) {
        const QString lastLogin
            = user.lastLoginMs > 0
                  ? QDateTime::fromMSecsSinceEpoch(user.lastLoginMs).toString(u"yyyy-MM-dd HH:mm")
                  : QStringLiteral("never");
        rows.append({user.username, Core::roleName(user.role), user.displayName,
                     user.lockedUntilMs > now ? QStringLiteral("locked") : QStringLiteral("active"),
                     lastLogin});
    }
    QList<qsizetype> widths(rows.constFirst().size(), 0);
    for (const QStringList &row : rows) {
        for (qsizetype column = 0; column < row.size(); ++column)
            widths[column] = std::max(widths[column], row.at(column).size());
    }
    for (const QStringList &row : rows) {
        QString line;
        for (qsizetype column = 0; column < row.size(); ++column) {
            const bool last = column == row.size() - 1;
            line += last ? row.at(column) : row.at(column).leftJustified(widths[column] + 2);
        }
        out() << line << "\n";
    }
    out().flush();
    return ExitOk;
}

} // namespace

int runUser(const CtlContext &context)
{
    const QString subcommand = context.arguments.value(1);
    if (subcommand.isEmpty())
        return usageError(QStringLiteral("user needs a subcommand: add, passwd or list"));
    if (subcommand == QLatin1String("--help") || subcommand == QLatin1String("-h")) {
        out() << kUserUsage;
        out().flush();
        return ExitOk;
    }
    CtlContext sub = context;
    sub.arguments = QStringList{context.arguments.constFirst() + u' ' + subcommand}
                    + context.arguments.mid(2);
    if (subcommand == QLatin1String("add"))
        return addUser(sub);
    if (subcommand == QLatin1String("passwd"))
        return changePassword(sub);
    if (subcommand == QLatin1String("list"))
        return listUsers(sub);
    return usageError(
        QStringLiteral("unknown user subcommand '%1' (use add, passwd or list)").arg(subcommand));
}

} // namespace LeadDesk::App

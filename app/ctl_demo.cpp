// leaddeskctl demo --leads N [--seed S]
#include "ctlcommon.h"

#include "demodatagenerator.h"

#include <QLocale>

#include <cstdio>

#include <unistd.h>

namespace LeadDesk::App {

namespace {

constexpr qint64 kMaxDemoLeads = 10'000'000;

} // namespace

int runDemo(const CtlContext &context)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Fill an empty store with a realistic demo data set: sources of every kind, "
                       "campaigns, contacts, leads, conversations, activities and three sign-in "
                       "accounts. The same seed gives the same data."));
    parser.addOption({QStringLiteral("leads"), QStringLiteral("Number of leads, 1 to 10000000."),
                      QStringLiteral("n")});
    parser.addOption({QStringLiteral("seed"), QStringLiteral("Random seed (default 42)."),
                      QStringLiteral("s"), QStringLiteral("42")});
    if (!parseOrExplain(parser, context))
        return ExitUsage;
    if (!parser.positionalArguments().isEmpty()) {
        printError(QStringLiteral("demo takes no arguments besides --leads and --seed"));
        return ExitUsage;
    }
    if (!parser.isSet(QStringLiteral("leads"))) {
        printError(QStringLiteral("demo needs --leads N (1 to %1)").arg(kMaxDemoLeads));
        return ExitUsage;
    }
    bool ok = false;
    const qint64 leads = parser.value(QStringLiteral("leads")).toLongLong(&ok);
    if (!ok || leads < 1 || leads > kMaxDemoLeads) {
        printError(QStringLiteral("--leads must be a whole number from 1 to %1, not '%2'")
                       .arg(kMaxDemoLeads)
                       .arg(parser.value(QStringLiteral("leads"))));
        return ExitUsage;
    }
    const quint64 seed = parser.value(QStringLiteral("seed")).toULongLong(&ok);
    if (!ok) {
        printError(QStringLiteral("--seed must be a non-negative whole number, not '%1'")
                       .arg(parser.value(QStringLiteral("seed"))));
        return ExitUsage;
    }

    auto store = context.openBusinessStore();
    if (!store)
        return ExitFailure;
    auto &[db, business] = *store;

    Core::DemoDataGenerator::Options options;
    options.leads = leads;
    options.seed = seed;
    Core::DemoDataGenerator generator(*db, options);

    // On a terminal one line is rewritten in place; in a log, a line every 10 %.
    const bool terminal = isatty(fileno(stderr)) != 0;
    bool progressShown = false;
    qint64 lastTenth = 0;
    const auto progress = [&](qint64 done, qint64 total) {
        const int percent = int(done * 100 / total);
        if (terminal) {
            std::fprintf(stderr, "\rgenerating demo data: %lld of %lld leads (%d%%)",
                         static_cast<long long>(done), static_cast<long long>(total), percent);
            std::fflush(stderr);
            progressShown = true;
            return;
        }
        const qint64 tenth = done * 10 / total;
        if (tenth > lastTenth) {
            lastTenth = tenth;
            std::fprintf(stderr, "generating demo data: %lld of %lld leads (%d%%)\n",
                         static_cast<long long>(done), static_cast<long long>(total), percent);
        }
    };
    const auto generated = generator.generate(business.id, progress);
    if (progressShown)
        std::fputs("\n", stderr);
    if (!generated) {
        printError(generated.error().message);
        return ExitFailure;
    }

    const auto &stats = generator.stats();
    const QLocale english(QLocale::English, QLocale::UnitedStates);
    const double seconds = double(stats.elapsedMs) / 1000.0;
    out() << "demo data for \"" << business.name << "\": " << english.toString(stats.leads)
          << " leads, " << english.toString(stats.contacts) << " contacts ("
          << english.toString(stats.multiChannelContacts) << " on several channels), "
          << english.toString(stats.messages) << " messages, " << english.toString(stats.activities)
          << " activities, " << stats.sources << " sources, " << stats.campaigns << " campaigns in "
          << QString::number(seconds, 'f', 1) << " s ("
          << english.toString(qint64(double(stats.leads) / std::max(seconds, 0.001)))
          << " leads/s)\n";
    out() << "sign in with:\n";
    for (const auto &account : Core::DemoDataGenerator::credentials()) {
        out() << "  " << account.username.leftJustified(8) << account.password.leftJustified(20)
              << account.role << ", " << account.displayName << "\n";
    }
    if (stats.users < Core::DemoDataGenerator::credentials().size())
        out() << "(accounts that already existed kept their own passwords)\n";
    out().flush();
    return ExitOk;
}

} // namespace LeadDesk::App

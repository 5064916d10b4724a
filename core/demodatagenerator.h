#pragma once

#include "database.h"
#include "result.h"

#include <QList>
#include <QString>

#include <functional>

namespace LeadDesk::Core {

// Builds a realistic, reproducible demo business: sources of every kind, campaigns with UTM
// data, contacts seen on several channels, leads with source-specific details, conversations
// with inbound and outbound messages, statuses, assignees and activities, and three demo
// accounts (an owner and two reps). The same seed gives the same data set.
class DemoDataGenerator final
{
public:
    struct Options
    {
        qint64 leads = 2000;
        quint64 seed = 42;
        qint64 nowMs = 0; // 0: the current time; leads spread over the 180 days before it
        double messagesPerLead = 5.0; // average
    };

    struct Credentials
    {
        QString username;
        QString password;
        QString role;
        QString displayName;
    };

    // What the last generate() wrote.
    struct Stats
    {
        qint64 leads = 0;
        qint64 contacts = 0;
        qint64 multiChannelContacts = 0; // contacts with leads on two or more channels
        qint64 identities = 0;
        qint64 conversations = 0;
        qint64 messages = 0;
        qint64 activities = 0;
        qint64 campaigns = 0;
        qint64 sources = 0;
        qint64 users = 0;
        qint64 elapsedMs = 0;
    };

    DemoDataGenerator(Database &db, Options options);

    // Fills the business's part of the store, which must hold no leads yet. `progress` is called
    // now and then with (leads done, leads total).
    Result<void> generate(const QString &businessId,
                          const std::function<void(qint64, qint64)> &progress = {});

    [[nodiscard]] const Stats &stats() const { return m_stats; }

    // The demo accounts' sign-in names and passwords, shown by the sign-in dialog in demo mode.
    [[nodiscard]] static QList<Credentials> credentials();
    // True when the business's data was made by this generator (settings key "demo").
    [[nodiscard]] static bool isDemoStore(Database &db, const QString &businessId);

private:
    Database &m_db;
    Options m_options;
    Stats m_stats;
};

} // namespace LeadDesk::Core

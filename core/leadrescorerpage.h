#pragma once

// LeadRescorer's page of leads, shared by the rescorer and its read-ahead thread: not part of
// the rescorer's interface.

#include "leadrescorer.h"
#include "scorebreakdowns.h"
#include "scorerollupdeltas.h"

#include <QByteArray>

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace LeadDesk::Core {

// One page of leads: read in chunks on the calling thread, scored by whichever thread is free.
struct LeadRescorer::Page
{
    // A text in a chunk's buffer.
    struct Span
    {
        quint32 offset = 0;
        quint32 size = 0;
    };

    struct Chunk
    {
        std::vector<qint64> rowIds;
        std::vector<int> oldScores;
        std::vector<qint64> oldBreakdownIds;
        std::vector<char> scored; // the lead has a lead_scores row
        std::vector<qint64> createdAt;
        std::vector<char> hasCampaign;
        std::vector<qint64> lastActivity;
        std::string text;        // every string the chunk's rows hold
        std::vector<Span> spans; // per row: the Text columns, then the rules' columns
        // The outcome, one entry per row; breakdown texts in one buffer.
        std::vector<char> changed;
        std::vector<int> scores;
        std::vector<const QByteArray *> grades;
        std::vector<const QByteArray *> qualifications;
        std::string breakdownText;
        std::vector<Span> breakdowns;
        ScoreRollupDeltas deltas; // of the changed rows
    };

    std::vector<std::unique_ptr<Chunk>> chunks;
    int columns = 0;                   // the rules' columns
    ScoreRollupDeltas emptyDeltas;     // the business's zone offsets, read with the page
    ScoreBreakdowns::Texts breakdowns; // the store's breakdown texts by id, read with the page
    std::mutex mutex;
    std::condition_variable wake;
    std::size_t published = 0; // chunks fully read
    std::size_t claimed = 0;   // chunks taken by a scoring thread
    bool readDone = false;
    qint64 rows = 0;
};

} // namespace LeadDesk::Core

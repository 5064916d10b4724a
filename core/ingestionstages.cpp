#include "ingestionstages.h"

#include "leadrouter.h"
#include "slaclock.h"

namespace LeadDesk::Core {

void addStandardStages(LeadIngestor &ingestor)
{
    // Each ingestor gets its own router and clock: they cache parsed documents per connection
    // and are not thread-safe.
    // The SLA clock goes in with the row (it depends on the channel and grade, not on the
    // assignee); routing follows the insert.
    ingestor.addBeforeStore(SlaClock::beforeStoreStage(std::make_shared<SlaClock>()));
    ingestor.addAfterStore(LeadRouter::afterStoreStage(std::make_shared<LeadRouter>()));
}

} // namespace LeadDesk::Core

#include "ingestionstages.h"

#include "leadrouter.h"
#include "slaclock.h"

namespace LeadDesk::Core {

void addStandardStages(LeadIngestor &ingestor)
{
    // Each ingestor gets its own router and clock: they cache parsed documents per connection
    // and are not thread-safe.
    ingestor.addAfterStore(LeadRouter::afterStoreStage(std::make_shared<LeadRouter>()));
    ingestor.addAfterStore(SlaClock::afterStoreStage(std::make_shared<SlaClock>()));
}

} // namespace LeadDesk::Core

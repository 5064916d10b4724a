#pragma once

#include "leadingestor.h"

namespace LeadDesk::Core {

// Adds the pipeline's standard stages to an ingestor that stores real leads: the SLA clock a new
// lead starts, set on the record so the row is written once (it depends on the channel and grade
// only), then the routing that assigns it after the insert. Every place that builds an ingestor
// for real leads calls this, so a lead is routed and timed however it arrived.
void addStandardStages(LeadIngestor &ingestor);

} // namespace LeadDesk::Core

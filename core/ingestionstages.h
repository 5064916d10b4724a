#pragma once

#include "leadingestor.h"

namespace LeadDesk::Core {

// Adds the pipeline's standard after-store stages to an ingestor that stores real leads: the
// routing that assigns a new lead, then the SLA clock it starts (the clock reads the assignee
// and grade the lead ends up with, so routing goes first). Every place that builds an ingestor
// for real leads calls this, so a lead is routed and timed however it arrived.
void addStandardStages(LeadIngestor &ingestor);

} // namespace LeadDesk::Core

#pragma once

#include "result.h"
#include "scoringmodel.h"

#include <QByteArray>

namespace LeadDesk::Core {

// Reads a scoring document (resources/config/scoring-default.json's format) into its evaluable
// form, or fails with the path and the reason ("lead.groups[1].rules[0].points: must be a
// number"): a document is taken whole or not at all.
class ScoringRulesParser final
{
public:
    [[nodiscard]] static Result<Scoring::Document> parse(const QByteArray &json);
};

} // namespace LeadDesk::Core

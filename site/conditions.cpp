// Where a rule's conditions come from, for every page of the report (see site_data.h). Kept in
// one function so that structured preconditions, when the database has them, replace the text
// in one place.
#include "site/site_data.h"

namespace rf::site {

std::vector<std::string> rule_conditions(const RuleView& rule) { return rule.summary().conditions; }

}  // namespace rf::site

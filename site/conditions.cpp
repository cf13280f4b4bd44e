// Where a rule's conditions come from, for every page of the report (see site_data.h): its typing
// conditions, then what its proof assumed beyond them, both in the rule's own variable names
// (ruledb renders them through condition_texts, ir/precondition.h), so the report states every
// condition a consumer needs.
#include "site/site_data.h"

namespace rf::site {

std::vector<std::string> rule_conditions(const RuleView& rule) {
    std::vector<std::string> out = rule.summary().conditions;
    out.insert(out.end(), rule.details.assumed.begin(), rule.details.assumed.end());
    return out;
}

}  // namespace rf::site

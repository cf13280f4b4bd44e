// compare: a reference rule set against a database. See compare.h for what each answer means;
// this file holds the three searches (find, derive, explain why missing) and the instantiation
// of symbolic reference rules at TASO's generator shapes.
#include "pipeline/compare.h"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "enumerator/preset.h"
#include "ir/graph_rebuild.h"

namespace rf::pipeline {

namespace {

// A shape a variable of TASO's generator has, with the role it has there. Discovered rules are
// stated over these, so a reference rule can only be found among them at these shapes.
struct GeneratorShape {
    Role role;
    std::vector<int64_t> dims;
    bool operator==(const GeneratorShape& o) const { return role == o.role && dims == o.dims; }
};

// The distinct (role, shape) pairs of the TASO preset's variables at its base (TASO's own)
// shapes, in the preset's order, for variables of rank `rank`.
std::vector<GeneratorShape> generator_shapes_from_preset(size_t rank) {
    std::vector<GeneratorShape> out;
    const fingerprint::ShapePlan plan = enumerator::taso_plan();  // named: the loop must not outlive a temporary
    for (const Variable& v : plan.base_variables()) {
        if (v.type.rank() != rank) continue;
        GeneratorShape s{v.role, {}};
        for (const Dim& d : v.type.dims) s.dims.push_back(d.value());
        if (std::find(out.begin(), out.end(), s) == out.end()) out.push_back(std::move(s));
    }
    return out;
}

const std::vector<GeneratorShape>& generator_shapes(size_t rank) {
    static const std::vector<std::vector<GeneratorShape>> by_rank = [] {
        std::vector<std::vector<GeneratorShape>> r;
        for (size_t k = 0; k <= 4; ++k) r.push_back(generator_shapes_from_preset(k));
        return r;
    }();
    static const std::vector<GeneratorShape> none;
    return rank < by_rank.size() ? by_rank[rank] : none;
}

bool is_plain_symbol(const Dim& d) { return d.terms().size() == 1 && d.terms()[0].second == 1 && d.constant() == 0; }

// Whether `shape` fits variable `v` under the symbols bound so far; binds the plain symbols it
// meets. Compound dimensions (d0+d1) are left to instantiate(), which re-types everything.
bool fits(const Variable& v, const GeneratorShape& shape, std::map<SymbolId, int64_t>& values) {
    if (v.type.rank() != shape.dims.size()) return false;
    for (size_t k = 0; k < shape.dims.size(); ++k) {
        const Dim& d = v.type.dims[k];
        if (d.is_concrete()) {
            if (d.value() != shape.dims[k]) return false;
        } else if (is_plain_symbol(d)) {
            auto [it, inserted] = values.try_emplace(d.terms()[0].first, shape.dims[k]);
            if (!inserted && it->second != shape.dims[k]) return false;
        } else if (auto val = d.evaluate(values); val && *val != shape.dims[k]) {
            return false;
        }
    }
    return true;
}

// The rule with its variables' roles replaced (both sides rebuilt, so re-typed).
Rule with_roles(const Rule& r, const std::vector<Role>& roles) {
    std::vector<Variable> vars = r.variables();
    for (size_t i = 0; i < vars.size(); ++i) vars[i].role = roles[i];
    Rule out;
    out.name = r.name;
    out.lhs = rebuild(r.lhs, vars);
    out.rhs = rebuild(r.rhs, vars);
    return out;  // a concrete instance type-checked, so the symbolic conditions hold: none left
}

std::string label_of(const Rule& r) {
    std::string s;
    for (const Variable& v : r.variables())
        s += (s.empty() ? "" : ", ") + v.name + ": " + role_name(v.role) + v.type.to_string();
    return s;
}

class InstanceSearch {
public:
    InstanceSearch(const Rule& rule, size_t limit) : d_rule(rule), d_limit(limit), d_roles(rule.variables().size()) {}

    std::vector<Instance> run() {
        std::map<SymbolId, int64_t> values;
        visit(0, values);
        return std::move(d_out);
    }

private:
    void visit(size_t i, std::map<SymbolId, int64_t>& values) {
        // Attempts are bounded too: a rule whose shapes never type-check must not enumerate
        // 5^n assignments.
        if (d_out.size() >= d_limit || d_attempts >= 8 * d_limit) return;
        const auto& vars = d_rule.variables();
        if (i == vars.size()) {
            ++d_attempts;
            try {
                Rule r = with_roles(instantiate(d_rule, values), d_roles);
                std::string text = canonical_key(r);
                if (d_seen.insert(text).second) d_out.push_back({r, label_of(r)});
            } catch (const TypeError&) {
                // this assignment does not type-check (e.g. a concat of unequal widths): skip it
            }
            return;
        }
        for (const GeneratorShape& shape : generator_shapes(vars[i].type.rank())) {
            std::map<SymbolId, int64_t> next = values;
            if (!fits(vars[i], shape, next)) continue;
            d_roles[i] = shape.role;
            visit(i + 1, next);
        }
    }

    static std::string canonical_key(const Rule& r) { return ruledb::describe_rule(r).text; }

    const Rule& d_rule;
    size_t d_limit;
    std::vector<Role> d_roles;
    std::vector<Instance> d_out;
    std::set<std::string> d_seen;  ///< renamings of one instance are one instance
    size_t d_attempts = 0;
};

// Whether some enumerated template produces node `n`: the same operator with the same
// parameters, on operands whose known dimensions meet the template's (the enumerator's test).
bool covered(const Graph& g, const Node& n, const std::vector<enumerator::OpTemplate>& templates) {
    for (const enumerator::OpTemplate& t : templates) {
        if (t.op != n.op) continue;
        switch (n.op) {
            case OpKind::Conv2d:
            case OpKind::Concat: {
                if (t.params != n.params) continue;
                const TensorType* b = n.inputs.size() > 1 ? &g.type(n.inputs[1]) : nullptr;
                if (!enumerator::operand_shapes_fit(t, g.type(n.inputs.at(0)), b)) continue;
                return true;
            }
            case OpKind::Matmul:
            case OpKind::Transpose:
            case OpKind::Split:
            case OpKind::PoolAvg:
            case OpKind::PoolMax:
            case OpKind::Repartition:
            case OpKind::Combine:
            case OpKind::Replicate:
            case OpKind::Reduction:
            case OpKind::ReduceSum:
            case OpKind::ReduceMean:
            case OpKind::Softmax:
            case OpKind::LayerNorm:
            case OpKind::RmsNorm:
                if (t.params != n.params) continue;
                return true;
            // Constants and reshape carry a shape the enumerator re-shapes per instantiation;
            // the rest have no parameters: the operator alone decides.
            case OpKind::Input:
            case OpKind::EwAdd:
            case OpKind::EwSub:
            case OpKind::EwMul:
            case OpKind::EwDiv:
            case OpKind::Smul:
            case OpKind::Relu:
            case OpKind::Sigmoid: RF_UNARY_ELEMENTWISE_CASES
            case OpKind::Tanh:
            case OpKind::Enlarge:
            case OpKind::ConstImm:
            case OpKind::ConstIconv:
            case OpKind::ConstOne:
            case OpKind::ConstPool:
            case OpKind::Reshape: return true;
        }
    }
    return false;
}

// The first operator of the rule no template produces, in words; empty when all are covered.
std::string uncovered_operator(const Rule& r, const std::vector<enumerator::OpTemplate>& templates) {
    for (const Graph* g : {&r.lhs, &r.rhs})
        for (const Node& n : g->nodes()) {
            if (n.op == OpKind::Input || covered(*g, n, templates)) continue;
            bool kind_known = std::any_of(templates.begin(), templates.end(),
                                          [&](const enumerator::OpTemplate& t) { return t.op == n.op; });
            return std::string(op_name(n.op)) + (kind_known ? " (with these parameters)" : "");
        }
    return "";
}

std::vector<enumerator::OpTemplate> templates_named(const std::vector<std::string>& names) {
    std::vector<enumerator::OpTemplate> all = enumerator::full_templates(), out;
    for (const enumerator::OpTemplate& t : enumerator::unity_templates()) all.push_back(t);
    for (const enumerator::OpTemplate& t : all)
        if (std::find(names.begin(), names.end(), t.name) != names.end()) out.push_back(t);
    return out;
}

struct KeptRules {
    std::vector<Rule> rules;
    std::vector<ruledb::Id> ids;
    std::vector<std::string> names;  ///< as list and show print them
};

// A stored rule's one name: its own, or rule_<id> when it has none (as export names it).
std::string rule_name(const ruledb::RuleSummary& s) { return s.name.empty() ? "rule_" + std::to_string(s.id) : s.name; }

KeptRules load_kept(ruledb::Database& db) {
    ruledb::RuleFilter f;
    f.status = ruledb::RuleStatus::Proved;
    f.decision = ruledb::Decision::Kept;
    KeptRules k;
    for (const ruledb::RuleSummary& s : db.list_rules(f)) {
        try {
            k.rules.push_back(db.load_rule(s.id));
            k.ids.push_back(s.id);
            k.names.push_back(rule_name(s));
        } catch (const std::exception&) {
            // stored by an older grammar: it cannot take part in a derivation (minimize skips it too)
        }
    }
    return k;
}

RuleComparison compare_one(ruledb::Database& db, const Rule& rule, const KeptRules& kept,
                           const std::optional<EnumerationBound>& bound,
                           const std::vector<enumerator::OpTemplate>& templates, const CompareOptions& options) {
    RuleComparison c;
    c.name = rule.name;
    std::vector<Instance> tries;
    tries.push_back({rule, "as read"});
    if (!rule.is_concrete())
        for (Instance& i : generator_instances(rule, options.max_instances)) tries.push_back(std::move(i));

    std::vector<ruledb::RuleEntry> keys;
    for (const Instance& i : tries) keys.push_back(ruledb::describe_rule(i.rule));
    for (size_t k = 0; k < tries.size(); ++k)
        if (auto id = db.find_rule(keys[k])) {
            c.outcome = CompareOutcome::Found;
            c.rule = *id;
            c.instance = tries[k].label;
            if (auto d = db.rule_details(*id)) {
                c.rule_name = rule_name(d->summary);
                c.status = ruledb::to_string(d->summary.status);
                c.decision = ruledb::to_string(d->summary.decision);
            }
            return c;
        }

    // Kept rules have concrete shapes and derivation matches shapes exactly, so only concrete
    // instances can be derived.
    std::string search_end;  // why the last derivation search stopped, for a "not found"
    for (const Instance& i : tries) {
        if (!i.rule.is_concrete()) continue;
        ruledb::Derivation d = ruledb::derive(i.rule, kept.rules, options.budget);
        if (!d.derivable) {
            search_end = d.stopped_by;
            continue;
        }
        c.outcome = CompareOutcome::Derivable;
        c.instance = i.label;
        c.steps = d.steps;
        for (size_t r : d.rules_used) {
            c.derived_by.push_back(kept.ids.at(r));
            c.derived_by_names.push_back(kept.names.at(r));
        }
        return c;
    }

    c.outcome = CompareOutcome::Missing;
    if (bound) {
        if (std::string op = uncovered_operator(rule, templates); !op.empty()) {
            c.reason = "operator not supported by the enumeration preset";
            c.detail = op;
            return c;
        }
        int size = std::max(rule.lhs.num_ops(), rule.rhs.num_ops());
        if (size > bound->max_ops) {
            c.reason = "beyond the size bound";
            c.detail = std::to_string(size) + " operators on a side; the run enumerated up to " +
                       std::to_string(bound->max_ops);
            return c;
        }
    }
    for (size_t k = 0; k < tries.size(); ++k)
        if (auto cand = db.find_candidate(keys[k])) {
            c.reason = "not proved";
            c.detail = "candidate " + std::to_string(*cand) + " (" + tries[k].label + ")";
            return c;
        }
    c.reason = "not found";
    if (!bound)
        c.detail = "the database records no discover run (preset and size bound unknown)";
    else if (!search_end.empty())
        c.detail = "no derivation from the kept rules (search stopped by " + search_end +
                   (search_end == "states"  ? ": raise --max-states"
                    : search_end == "steps" ? ": raise --max-steps"
                                            : "") +
                   ")";
    return c;
}

}  // namespace

const char* to_string(CompareOutcome o) {
    switch (o) {
        case CompareOutcome::Found: return "found";
        case CompareOutcome::Derivable: return "derivable";
        case CompareOutcome::Missing: return "missing";
    }
    return "?";
}

std::optional<EnumerationBound> enumeration_bound(ruledb::Database& db) {
    // A database merged from shards holds several discover runs: what any of them enumerated
    // counts, so the bound is the union of their templates and the largest size.
    std::optional<EnumerationBound> bound;
    for (const ruledb::RunInfo& run : db.runs()) {
        nlohmann::json p = nlohmann::json::parse(run.spec.params_json, nullptr, false);
        if (!p.is_object() || !p.contains("preset") || !p.contains("max_ops")) continue;  // not discover
        try {
            int max_ops = p["max_ops"].get<int>();
            enumerator::EnumConfig config = enumerator::preset_config(p["preset"].get<std::string>(), max_ops);
            std::string ops = p.value("ops", std::string());
            std::vector<enumerator::OpTemplate> ts =
                ops.empty() ? config.templates : enumerator::select_templates(config.templates, ops);
            if (!bound) bound.emplace();
            bound->max_ops = std::max(bound->max_ops, max_ops);
            for (const enumerator::OpTemplate& t : ts)
                if (std::find(bound->templates.begin(), bound->templates.end(), t.name) == bound->templates.end())
                    bound->templates.push_back(t.name);
        } catch (const std::exception&) {
            // parameters of another version (an unknown preset or template): this run says nothing
        }
    }
    return bound;
}

std::vector<Instance> generator_instances(const Rule& rule, size_t limit) {
    if (rule.is_concrete()) return {{rule, label_of(rule)}};
    std::vector<Instance> out = InstanceSearch(rule, limit).run();
    if (out.empty()) {
        // Ranks the generator has no shape for (3-D, 5-D): any small instance still lets the
        // derivation search try.
        try {
            Rule r = concrete_instance(rule, 1);
            out.push_back({r, label_of(r)});
        } catch (const TypeError&) {
        }
    }
    return out;
}

CompareReport compare(ruledb::Database& db, const exporters::ImportResult& reference, const CompareOptions& options) {
    const KeptRules kept = load_kept(db);
    const std::optional<EnumerationBound> bound = enumeration_bound(db);
    const std::vector<enumerator::OpTemplate> templates =
        bound ? templates_named(bound->templates) : std::vector<enumerator::OpTemplate>{};

    CompareReport report;
    for (size_t i = 0; i < reference.rules.size(); ++i) {
        RuleComparison c = compare_one(db, reference.rules[i], kept, bound, templates, options);
        c.index = reference.indices.at(i);
        report.rules.push_back(std::move(c));
    }
    // Rules the reader could not turn into IR are still reference rules: they count as missing.
    for (const exporters::Issue& issue : reference.unsupported) {
        RuleComparison c;
        c.index = issue.index;
        c.name = issue.name;
        c.reason = "operator not supported by the enumeration preset";
        c.detail = "not in ruleforge's IR: " + issue.message;
        report.rules.push_back(std::move(c));
    }
    for (const exporters::Issue& issue : reference.malformed) {
        RuleComparison c;
        c.index = issue.index;
        c.name = issue.name;
        c.reason = "malformed in the reference file";
        c.detail = issue.message;
        report.rules.push_back(std::move(c));
    }
    std::stable_sort(report.rules.begin(), report.rules.end(),
                     [](const RuleComparison& a, const RuleComparison& b) { return a.index < b.index; });
    for (const RuleComparison& c : report.rules) switch (c.outcome) {
            case CompareOutcome::Found: ++report.found; break;
            case CompareOutcome::Derivable: ++report.derivable; break;
            case CompareOutcome::Missing: ++report.missing; break;
        }
    return report;
}

std::string CompareReport::to_json() const {
    nlohmann::json rules_json = nlohmann::json::array();
    for (const RuleComparison& c : rules) {
        nlohmann::json j = {{"index", c.index}, {"outcome", to_string(c.outcome)}};
        if (!c.name.empty()) j["name"] = c.name;
        switch (c.outcome) {
            case CompareOutcome::Found:
                j["rule"] = *c.rule;
                j["rule_name"] = c.rule_name;
                j["status"] = c.status;
                j["decision"] = c.decision;
                j["instance"] = c.instance;
                break;
            case CompareOutcome::Derivable:
                j["derived_by"] = c.derived_by;
                j["derived_by_names"] = c.derived_by_names;
                j["steps"] = c.steps;
                j["instance"] = c.instance;
                break;
            case CompareOutcome::Missing:
                j["reason"] = c.reason;
                if (!c.detail.empty()) j["detail"] = c.detail;
                break;
        }
        rules_json.push_back(std::move(j));
    }
    nlohmann::json out = {
        {"rules", rules_json},
        {"summary", {{"found", found}, {"derivable", derivable}, {"missing", missing}, {"total", total()}}}};
    return out.dump(2);
}

}  // namespace rf::pipeline

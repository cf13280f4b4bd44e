#include "exporters/flexflow_json.h"

#include <algorithm>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <type_traits>

#include <nlohmann/json.hpp>

#include "exporters/op_list.h"
#include "exporters/taso_ops.h"

namespace rf::exporters {

namespace {

using json = nlohmann::json;

// FlexFlow's parallelization operators ruleforge has, by the catalogue's FlexFlow spelling
// (OP_PARTITION, OP_REDUCE, as its files write them); its OperatorType enum's OP_REPARTITION and
// OP_REDUCTION are read too.
std::optional<OpKind> parallel_kind(const std::string& name) {
    if (name == "OP_REPARTITION") return OpKind::Repartition;
    if (name == "OP_REDUCTION") return OpKind::Reduction;
    auto k = op_from_flexflow_name(name);
    if (k && is_parallel_op(*k)) return k;
    return std::nullopt;
}

// The TASO number of a FlexFlow operator: the catalogue's for ruleforge's operators (OP_LINEAR
// is matmul; OP_MATMUL is read too), TASO's own for the rest, which decoding then refuses by name.
int32_t op_code(const std::string& name) {
    if (name == "OP_MATMUL") return op_info(OpKind::Matmul).taso_op;
    if (auto k = op_from_flexflow_name(name); k && op_info(*k).taso_op >= 0) return op_info(*k).taso_op;
    for (int32_t t = 0; t < kTasoOpCount; ++t)
        if (name == std::string("OP_") + taso_op_name(t) && t != static_cast<int32_t>(TasoOp::Linear)) return t;
    if (name == "OP_PIPELINE" || name == "OP_FUSED_PARALLEL")
        throw UnsupportedOp("parallel operator " + name + " is not in ruleforge's IR");
    if (name.rfind("OP_", 0) == 0) throw UnsupportedOp("FlexFlow operator " + name + " is not in ruleforge's IR");
    throw LiftError("unknown operator type '" + name + "'");
}

int32_t param_code(const std::string& name, const std::string& label) {
    for (int32_t k = 0; k < kTasoParamCount; ++k)
        if (name == std::string("PM_") + taso_param_name(k)) return k;
    throw LiftError(label + ": unknown parameter '" + name + "'");
}

// Reads field `key` of an object as T, or throws LiftError naming where.
template <class T>
T field(const json& j, const char* key, const std::string& where) {
    if (!j.is_object() || !j.contains(key)) throw LiftError(where + ": missing field \"" + key + "\"");
    if constexpr (std::is_integral_v<T>) {
        // nlohmann converts a float (or an integer out of T's range) by a plain cast: undefined
        // behaviour for -2e51 (found by fuzzing). An integer field must hold an integer in range.
        const json& v = j.at(key);
        const bool in_range = v.is_number_unsigned()
                                  ? v.get<uint64_t>() <= static_cast<uint64_t>(std::numeric_limits<T>::max())
                                  : v.is_number_integer() && v.get<int64_t>() >= std::numeric_limits<T>::min() &&
                                        v.get<int64_t>() <= std::numeric_limits<T>::max();
        if (!in_range) throw LiftError(where + ": field \"" + key + "\" is not an integer in range (" + v.dump() + ")");
        return static_cast<T>(v.is_number_unsigned() ? static_cast<int64_t>(v.get<uint64_t>()) : v.get<int64_t>());
    }
    try {
        return j.at(key).get<T>();
    } catch (const json::exception&) {
        throw LiftError(where + ": field \"" + key + "\" has the wrong type (" + j.at(key).type_name() + ")");
    }
}

OperandRef operand_of(const json& j, const std::string& where) {
    return OperandRef{field<int32_t>(j, "opId", where), field<int32_t>(j, "tsId", where)};
}

// PM_PARALLEL_DIM counts dimensions as PM_AXIS does. A replicate or reduction states one too (the
// replica dimension it acts on); ruleforge's tensors have one replica dimension, so it is read,
// checked and not kept.
DecodedOp decode_parallel_op(OpKind k, const json& op, const std::string& label, int file_rank) {
    DecodedOp d;
    d.kind = k;
    d.rank_hint = file_rank;
    d.label = label;
    for (const json& in : field<json>(op, "input", label)) d.inputs.push_back(operand_of(in, label));
    if (d.inputs.size() != 1) throw LiftError(label + ": takes 1 operand, got " + std::to_string(d.inputs.size()));
    std::optional<int32_t> dim, degree;
    for (const json& p : field<json>(op, "para", label)) {
        const std::string key = field<std::string>(p, "key", label);
        const int32_t value = field<int32_t>(p, "value", label);
        std::optional<int32_t>* slot = key == "PM_PARALLEL_DIM"      ? &dim
                                       : key == "PM_PARALLEL_DEGREE" ? &degree
                                                                     : nullptr;
        if (!slot) throw LiftError(label + ": unexpected parameter '" + key + "'");
        if (*slot) throw LiftError(label + ": parameter " + key + " given twice");
        *slot = value;
    }
    if (!dim || *dim < 0 || *dim >= kMaxListLen) throw LiftError(label + ": PM_PARALLEL_DIM missing or out of range");
    if (!degree || *degree < 2 || *degree > 1024)
        throw LiftError(label + ": PM_PARALLEL_DEGREE missing or not in [2, 1024]");
    d.params = is_partition_op(k) ? param::partition(k, *dim, *degree) : param::replica(*degree);
    return d;
}

// The replica dimension is written as the one after the tensor's own dimensions.
json parallel_operator_json(const ListedOp& op) {
    const int32_t dim =
        is_partition_op(op.kind) ? param::parallel_dim(op.params) : static_cast<int32_t>(op.input_types.at(0).rank());
    json j = {{"_t", "Operator"},
              {"type", std::string(op_info(op.kind).flexflow_name)},
              {"input", json::array()},
              {"para", json::array()}};
    for (OperandRef r : op.inputs) j["input"].push_back({{"_t", "Tensor"}, {"opId", r.op}, {"tsId", r.output}});
    j["para"].push_back({{"_t", "Parameter"}, {"key", "PM_PARALLEL_DIM"}, {"value", dim}});
    j["para"].push_back(
        {{"_t", "Parameter"}, {"key", "PM_PARALLEL_DEGREE"}, {"value", param::degree(op.params, op.kind)}});
    return j;
}

// The rank every concat of the file states (PM_NUMDIM), or -1 when they differ or there is none.
// FlexFlow's generator works on tensors of one rank (3 in graph_subst_3_v2.json); a rule of
// parallel operators alone does not state it, and its PM_PARALLEL_DIM values need it.
int file_rank(const json& rules) {
    int rank = -1;
    for (const json& r : rules) {
        if (!r.is_object()) continue;
        for (const char* side : {"srcOp", "dstOp"}) {
            if (!r.contains(side) || !r[side].is_array()) continue;
            for (const json& op : r[side]) {
                if (!op.is_object() || op.value("type", json()) != "OP_CONCAT" || !op.contains("para") ||
                    !op["para"].is_array())
                    continue;
                for (const json& p : op["para"]) {
                    if (!p.is_object() || p.value("key", json()) != "PM_NUMDIM" || !p.contains("value") ||
                        !p["value"].is_number_integer())
                        continue;
                    const int64_t v = p["value"].get<int64_t>();
                    if (v < 1 || v > kMaxListLen || (rank >= 0 && rank != v)) return -1;
                    rank = static_cast<int>(v);
                }
            }
        }
    }
    return rank;
}

bool has_parallel_op(const DecodedRule& d) {
    for (const auto* side : {&d.src, &d.dst})
        for (const DecodedOp& op : *side)
            if (is_parallel_op(op.kind)) return true;
    return false;
}

// FlexFlow's rules take inputs of any distribution, and many of them only type when some input
// already is distributed (a reduction applied to an input needs replicas). ruleforge's rules
// have one typing, so the rule is typed at the simplest input distributions that make both
// sides well-typed: every input whole first, then one input, then two, each cut in 2 along one
// dimension, replicated twice, or both. Inputs get rank `rank`. A rule of more than 8 inputs
// (FlexFlow's have at most 6) is not searched: the pairs would grow quadratically.
std::optional<Rule> lift_with_distributed_inputs(const DecodedRule& d, int rank) {
    std::vector<int32_t> vars;
    for (const auto* side : {&d.src, &d.dst})
        for (const DecodedOp& op : *side)
            for (const OperandRef& r : op.inputs) {
                // -INT32_MIN does not exist (such a reference was refused by lift_rule already).
                if (r.op >= 0 || r.op == std::numeric_limits<int32_t>::min()) continue;
                if (std::find(vars.begin(), vars.end(), -r.op) == vars.end()) vars.push_back(-r.op);
            }
    if (vars.size() > 8) return std::nullopt;
    struct Choice {
        int dim;  // -1: no dimension cut
        int replicas;
    };
    std::vector<Choice> options;
    for (int replicas : {1, 2})
        for (int dim = -1; dim < rank; ++dim)
            if (dim >= 0 || replicas > 1) options.push_back({dim, replicas});
    auto try_with = [&](const std::map<int32_t, Choice>& chosen) -> std::optional<Rule> {
        VariableDecls decls = [&](int32_t k) -> std::optional<VarDecl> {
            VarDecl v;
            v.name = variable_name(k);
            v.has_shape = true;
            auto it = chosen.find(k);
            for (int i = 0; i < rank; ++i) {
                v.dims.push_back(v.name + "_d" + std::to_string(i));
                v.degrees.push_back(it != chosen.end() && it->second.dim == i ? 2 : 1);
            }
            v.replicas = it != chosen.end() ? it->second.replicas : 1;
            return v;
        };
        try {
            return lift_rule(d, decls);
        } catch (const std::exception&) {
            return std::nullopt;
        }
    };
    for (size_t a = 0; a < vars.size(); ++a)
        for (const Choice& ca : options)
            if (auto r = try_with({{vars[a], ca}})) return r;
    for (size_t a = 0; a < vars.size(); ++a)
        for (size_t b = a + 1; b < vars.size(); ++b)
            for (const Choice& ca : options)
                for (const Choice& cb : options)
                    if (auto r = try_with({{vars[a], ca}, {vars[b], cb}})) return r;
    return std::nullopt;
}

std::vector<DecodedOp> decode_side(const json& ops, const char* side, int rank) {
    if (!ops.is_array()) throw LiftError(std::string(side) + " is not an array");
    std::vector<DecodedOp> out;
    for (size_t j = 0; j < ops.size(); ++j) {
        std::string where = std::string(side) + " " + std::to_string(j);
        std::string type = field<std::string>(ops[j], "type", where);
        std::string label = where + " (" + type + ")";
        if (auto k = parallel_kind(type)) {
            out.push_back(decode_parallel_op(*k, ops[j], label, rank));
            continue;
        }
        TasoOperator t;
        try {
            t.type = op_code(type);
        } catch (const LiftError& e) {
            throw LiftError(label + ": " + e.what());
        }
        for (const json& in : field<json>(ops[j], "input", label)) t.inputs.push_back(operand_of(in, label));
        for (const json& p : field<json>(ops[j], "para", label))
            t.params.emplace_back(param_code(field<std::string>(p, "key", label), label),
                                  field<int32_t>(p, "value", label));
        out.push_back(decode_taso_op(t, label));
    }
    return out;
}

json operator_json(const TasoOperator& t, std::string_view type) {
    json op = {{"_t", "Operator"}, {"type", std::string(type)}, {"input", json::array()}, {"para", json::array()}};
    for (OperandRef r : t.inputs) op["input"].push_back({{"_t", "Tensor"}, {"opId", r.op}, {"tsId", r.output}});
    for (const auto& [key, value] : t.params)
        op["para"].push_back(
            {{"_t", "Parameter"}, {"key", std::string("PM_") + taso_param_name(key)}, {"value", value}});
    return op;
}

json listed_operator_json(const ListedOp& op) {
    if (is_parallel_op(op.kind)) return parallel_operator_json(op);
    return operator_json(encode_taso_op(op, TasoTarget::Flexflow), op_info(op.kind).flexflow_name);
}

}  // namespace

ImportResult read_flexflow_rules(const std::string& text, const std::string& file) {
    json doc;
    try {
        doc = json::parse(text);
    } catch (const json::exception& e) {
        // parse_error, and out_of_range for a number too large for a double (found by fuzzing).
        throw ImportError(file + ": not JSON: " + e.what());
    }
    if (!doc.is_object() || !doc.contains("rule") || !doc["rule"].is_array())
        throw ImportError(file + ": not a FlexFlow substitution file: no \"rule\" array at the top level");
    ImportResult result;
    const json& rules = doc["rule"];
    result.total = rules.size();
    const int rank = file_rank(rules);
    for (size_t i = 0; i < rules.size(); ++i) {
        const json& r = rules[i];
        Issue issue{i, "", ""};
        try {
            DecodedRule d;
            d.name = r.is_object() && r.contains("name") && r["name"].is_string() ? r["name"].get<std::string>()
                                                                                  : "flexflow_" + std::to_string(i);
            issue.name = d.name;
            d.src = decode_side(field<json>(r, "srcOp", "rule"), "srcOp", rank);
            d.dst = decode_side(field<json>(r, "dstOp", "rule"), "dstOp", rank);
            for (const json& m : field<json>(r, "mappedOutput", "rule"))
                d.outputs.push_back(MappedOutput{
                    {field<int32_t>(m, "srcOpId", "mappedOutput"), field<int32_t>(m, "srcTsId", "mappedOutput")},
                    {field<int32_t>(m, "dstOpId", "mappedOutput"), field<int32_t>(m, "dstTsId", "mappedOutput")}});
            try {
                result.rules.push_back(lift_rule(d));
            } catch (const LiftError& e) {
                // Typed with whole inputs it fails; with distributed ones it may not.
                // Without a rank the file states, the IR's default rank for untyped variables (2).
                const bool parallel = has_parallel_op(d);
                std::optional<Rule> typed =
                    parallel ? lift_with_distributed_inputs(d, rank > 0 ? rank : 2) : std::nullopt;
                if (!typed) {
                    if (parallel && std::string(e.what()).find("right-hand side is not bound") == std::string::npos)
                        throw UnsupportedOp(std::string("no distribution of the inputs tried types both sides: ") +
                                            e.what());
                    throw;
                }
                result.rules.push_back(std::move(*typed));
            }
            result.indices.push_back(i);
        } catch (const UnsupportedOp& e) {
            issue.message = e.what();
            result.unsupported.push_back(issue);
        } catch (const LiftError& e) {
            issue.message = e.what();
            result.malformed.push_back(issue);
        }
    }
    return result;
}

ExportResult write_flexflow_rules(const std::vector<Rule>& rules) {
    ExportResult result;
    json out = {{"_t", "RuleCollection"}, {"rule", json::array()}};
    for (size_t i = 0; i < rules.size(); ++i) {
        json r = {{"_t", "Rule"},
                  {"name", rules[i].name.empty() ? "rule_" + std::to_string(i) : rules[i].name},
                  {"srcOp", json::array()},
                  {"dstOp", json::array()},
                  {"mappedOutput", json::array()}};
        try {
            OpListRule listed = lower_rule(rules[i]);
            for (const ListedOp& op : listed.src) r["srcOp"].push_back(listed_operator_json(op));
            for (const ListedOp& op : listed.dst) r["dstOp"].push_back(listed_operator_json(op));
            for (const MappedOutput& m : listed.outputs)
                r["mappedOutput"].push_back({{"_t", "MapOutput"},
                                             {"srcOpId", m.src.op},
                                             {"srcTsId", m.src.output},
                                             {"dstOpId", m.dst.op},
                                             {"dstTsId", m.dst.output}});
        } catch (const NotExpressible& e) {
            result.left_out.push_back(Issue{i, rules[i].name, e.what()});
            continue;
        }
        out["rule"].push_back(std::move(r));
        ++result.written;
    }
    result.data = out.dump(2) + "\n";
    return result;
}

}  // namespace rf::exporters

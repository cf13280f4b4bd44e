#include "exporters/flexflow_json.h"

#include <limits>
#include <set>
#include <type_traits>

#include <nlohmann/json.hpp>

#include "exporters/op_list.h"
#include "exporters/taso_ops.h"

namespace rf::exporters {

namespace {

using json = nlohmann::json;

// FlexFlow's names for its parallelization operators; "OP_REDUCE" is how its file spells
// OP_REDUCTION.
const std::set<std::string>& parallel_ops() {
    static const std::set<std::string> names = {"OP_PARTITION", "OP_COMBINE",  "OP_REPLICATE",     "OP_REDUCE",
                                                "OP_REDUCTION", "OP_PIPELINE", "OP_FUSED_PARALLEL"};
    return names;
}

std::string op_spelling(int32_t type) {
    if (type == static_cast<int32_t>(TasoOp::Matmul)) return "OP_LINEAR";
    return std::string("OP_") + taso_op_name(type);
}

int32_t op_code(const std::string& name) {
    if (name == "OP_LINEAR" || name == "OP_MATMUL") return static_cast<int32_t>(TasoOp::Matmul);
    for (int32_t t = 0; t < kTasoOpCount; ++t)
        if (name == std::string("OP_") + taso_op_name(t) && t != static_cast<int32_t>(TasoOp::Linear)) return t;
    if (parallel_ops().count(name)) throw UnsupportedOp("parallel operator " + name + " is not in ruleforge's IR yet");
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
        if (!in_range)
            throw LiftError(where + ": field \"" + key + "\" is not an integer in range (" + v.dump() + ")");
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

std::vector<DecodedOp> decode_side(const json& ops, const char* side) {
    if (!ops.is_array()) throw LiftError(std::string(side) + " is not an array");
    std::vector<DecodedOp> out;
    for (size_t j = 0; j < ops.size(); ++j) {
        std::string where = std::string(side) + " " + std::to_string(j);
        std::string type = field<std::string>(ops[j], "type", where);
        std::string label = where + " (" + type + ")";
        TasoOperator t;
        try {
            t.type = op_code(type);
        } catch (const LiftError& e) {
            throw LiftError(label + ": " + e.what());
        }
        for (const json& in : field<json>(ops[j], "input", label)) t.inputs.push_back(operand_of(in, label));
        for (const json& p : field<json>(ops[j], "para", label))
            t.params.emplace_back(param_code(field<std::string>(p, "key", label), label), field<int32_t>(p, "value", label));
        out.push_back(decode_taso_op(t, label));
    }
    return out;
}

json operator_json(const TasoOperator& t) {
    json op = {{"_t", "Operator"}, {"type", op_spelling(t.type)}, {"input", json::array()}, {"para", json::array()}};
    for (OperandRef r : t.inputs) op["input"].push_back({{"_t", "Tensor"}, {"opId", r.op}, {"tsId", r.output}});
    for (const auto& [key, value] : t.params)
        op["para"].push_back({{"_t", "Parameter"}, {"key", std::string("PM_") + taso_param_name(key)}, {"value", value}});
    return op;
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
    for (size_t i = 0; i < rules.size(); ++i) {
        const json& r = rules[i];
        Issue issue{i, "", ""};
        try {
            DecodedRule d;
            d.name = r.is_object() && r.contains("name") && r["name"].is_string() ? r["name"].get<std::string>()
                                                                                   : "flexflow_" + std::to_string(i);
            issue.name = d.name;
            d.src = decode_side(field<json>(r, "srcOp", "rule"), "srcOp");
            d.dst = decode_side(field<json>(r, "dstOp", "rule"), "dstOp");
            for (const json& m : field<json>(r, "mappedOutput", "rule"))
                d.outputs.push_back(MappedOutput{{field<int32_t>(m, "srcOpId", "mappedOutput"), field<int32_t>(m, "srcTsId", "mappedOutput")},
                                                 {field<int32_t>(m, "dstOpId", "mappedOutput"), field<int32_t>(m, "dstTsId", "mappedOutput")}});
            result.rules.push_back(lift_rule(d));
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
            for (const ListedOp& op : listed.src) r["srcOp"].push_back(operator_json(encode_taso_op(op, TasoTarget::Flexflow)));
            for (const ListedOp& op : listed.dst) r["dstOp"].push_back(operator_json(encode_taso_op(op, TasoTarget::Flexflow)));
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

#include "exporters/taso_protobuf.h"

#include <google/protobuf/text_format.h>

#include "exporters/op_list.h"
#include "exporters/taso_ops.h"
#include "taso_rules.pb.h"

namespace rf::exporters {

namespace {

// Unknown fields mean the bytes were not written with this schema: protobuf skips them
// silently, so a text file or another message type could otherwise "parse" as a few rules.
bool has_unknown_fields(const GraphSubst::RuleCollection& c) {
    if (!c.unknown_fields().empty()) return true;
    auto op_unknown = [](const GraphSubst::Operator& op) {
        if (!op.unknown_fields().empty()) return true;
        for (const auto& t : op.input())
            if (!t.unknown_fields().empty()) return true;
        for (const auto& p : op.para())
            if (!p.unknown_fields().empty()) return true;
        return false;
    };
    for (const auto& r : c.rule()) {
        if (!r.unknown_fields().empty()) return true;
        for (const auto& op : r.srcop())
            if (op_unknown(op)) return true;
        for (const auto& op : r.dstop())
            if (op_unknown(op)) return true;
        for (const auto& m : r.mappedoutput())
            if (!m.unknown_fields().empty()) return true;
    }
    return false;
}

GraphSubst::RuleCollection parse_collection(const std::string& bytes, const std::string& file) {
    GraphSubst::RuleCollection c;
    // ParsePartial + our own checks: ParseFromString would log to stderr before failing.
    if (!c.ParsePartialFromString(bytes))
        throw ImportError(file +
                          ": not a TASO rule file (protobuf GraphSubst.RuleCollection): the bytes do not "
                          "parse (truncated or not protobuf)");
    if (!c.IsInitialized())
        throw ImportError(file + ": not a TASO rule file: required fields missing (" + c.InitializationErrorString() +
                          "), truncated or foreign protobuf");
    if (has_unknown_fields(c))
        throw ImportError(file + ": not a TASO rule file: it holds fields GraphSubst.RuleCollection does not define");
    return c;
}

TasoOperator from_proto(const GraphSubst::Operator& op) {
    TasoOperator t;
    t.type = op.type();
    for (const auto& in : op.input()) t.inputs.push_back(OperandRef{in.opid(), in.tsid()});
    for (const auto& p : op.para()) t.params.emplace_back(p.key(), p.value());
    return t;
}

void to_proto(const TasoOperator& t, GraphSubst::Operator* op) {
    op->set_type(t.type);
    for (OperandRef r : t.inputs) {
        auto* in = op->add_input();
        in->set_opid(r.op);
        in->set_tsid(r.output);
    }
    for (const auto& [key, value] : t.params) {
        auto* p = op->add_para();
        p->set_key(key);
        p->set_value(value);
    }
}

std::vector<DecodedOp> decode_side(const google::protobuf::RepeatedPtrField<GraphSubst::Operator>& ops,
                                   const char* side) {
    std::vector<DecodedOp> out;
    for (int j = 0; j < ops.size(); ++j)
        out.push_back(decode_taso_op(from_proto(ops[j]), std::string(side) + " " + std::to_string(j) + " (" +
                                                             taso_op_label(ops[j].type()) + ")"));
    return out;
}

}  // namespace

std::optional<VarDecl> taso_generator_variable(int32_t k) {
    struct Group {
        int32_t first, last;
        Role role;
        std::vector<std::string> dims;
    };
    static const std::vector<Group> groups = {
        {1, 3, Role::Activation, {"2", "4"}},           {4, 6, Role::Weight, {"4", "4"}},
        {7, 9, Role::Activation, {"2", "4", "5", "5"}}, {10, 12, Role::Weight, {"4", "4", "3", "3"}},
        {13, 15, Role::Weight, {"4", "4", "1", "3"}},   {16, 18, Role::Weight, {"4", "4", "3", "1"}},
        {19, 19, Role::Weight, {"4", "1", "3", "3"}},   {20, 20, Role::Weight, {}},
    };
    for (const Group& g : groups) {
        if (k < g.first || k > g.last) continue;
        VarDecl d;
        d.name = variable_name(k);
        d.role = g.role;
        d.has_shape = true;
        d.dims = g.dims;
        d.loc = SourceLoc{"", 1, 0};  // column 0: no operator to blame (see op_list.cpp)
        return d;
    }
    return std::nullopt;
}

ImportResult read_taso_rules(const std::string& bytes, const std::string& file, const TasoReadOptions& options) {
    GraphSubst::RuleCollection c = parse_collection(bytes, file);
    ImportResult result;
    result.total = static_cast<size_t>(c.rule_size());
    VariableDecls decls;
    if (options.generator_shapes) decls = taso_generator_variable;
    for (int i = 0; i < c.rule_size(); ++i) {
        const GraphSubst::Rule& r = c.rule(i);
        DecodedRule d;
        d.name = "taso_" + std::to_string(i);
        Issue issue{static_cast<size_t>(i), d.name, ""};
        try {
            d.src = decode_side(r.srcop(), "srcOp");
            d.dst = decode_side(r.dstop(), "dstOp");
            for (const auto& m : r.mappedoutput())
                d.outputs.push_back(MappedOutput{{m.srcopid(), m.srctsid()}, {m.dstopid(), m.dsttsid()}});
            result.rules.push_back(lift_rule(d, decls));
            result.indices.push_back(static_cast<size_t>(i));
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

ExportResult write_taso_rules(const std::vector<Rule>& rules) {
    GraphSubst::RuleCollection c;
    ExportResult result;
    for (size_t i = 0; i < rules.size(); ++i) {
        GraphSubst::Rule r;
        try {
            OpListRule listed = lower_rule(rules[i]);
            for (const ListedOp& op : listed.src) to_proto(encode_taso_op(op, TasoTarget::Taso), r.add_srcop());
            for (const ListedOp& op : listed.dst) to_proto(encode_taso_op(op, TasoTarget::Taso), r.add_dstop());
            for (const MappedOutput& m : listed.outputs) {
                auto* mo = r.add_mappedoutput();
                mo->set_srcopid(m.src.op);
                mo->set_srctsid(m.src.output);
                mo->set_dstopid(m.dst.op);
                mo->set_dsttsid(m.dst.output);
            }
        } catch (const NotExpressible& e) {
            result.left_out.push_back(Issue{i, rules[i].name, e.what()});
            continue;
        }
        *c.add_rule() = std::move(r);
        ++result.written;
    }
    c.SerializeToString(&result.data);
    return result;
}

std::string taso_text_format(const std::string& bytes) {
    GraphSubst::RuleCollection c = parse_collection(bytes, "<bytes>");
    std::string out;
    google::protobuf::TextFormat::PrintToString(c, &out);
    return out;
}

}  // namespace rf::exporters

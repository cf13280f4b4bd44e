#include "applier/tensat_model.h"

#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>

#include "applier/models/net_builder.h"

namespace rf::applier {

namespace {

// TASO's OpType numbering (include/taso/ops.h), for naming what a file contains.
const char* taso_op_name(int t) {
    static const char* const names[] = {
        "OP_INPUT",        "OP_WEIGHT",       "OP_ANY",     "OP_CONV2D",      "OP_DROPOUT",      "OP_LINEAR",
        "OP_POOL2D_MAX",   "OP_POOL2D_AVG",   "OP_RELU",    "OP_SIGMOID",     "OP_TANH",         "OP_BATCHNORM",
        "OP_CONCAT",       "OP_SPLIT",        "OP_RESHAPE", "OP_TRANSPOSE",   "OP_EW_ADD",       "OP_EW_MUL",
        "OP_MATMUL",       "OP_MUL",          "OP_ENLARGE", "OP_MERGE_GCONV", "OP_CONSTANT_IMM", "OP_CONSTANT_ICONV",
        "OP_CONSTANT_ONE", "OP_CONSTANT_POOL"};
    return t >= 0 && t < static_cast<int>(std::size(names)) ? names[t] : "unknown";
}

enum TasoOp : int {
    kInput = 0,
    kWeight = 1,
    kConv2d = 3,
    kDropout = 4,
    kPoolMax = 6,
    kPoolAvg = 7,
    kRelu = 8,
    kSigmoid = 9,
    kTanh = 10,
    kBatchnorm = 11,
    kConcat = 12,
    kSplit = 13,
    kReshape = 14,
    kTranspose = 15,
    kEwAdd = 16,
    kEwMul = 17,
    kMatmul = 18,
};

class Error : public std::runtime_error {
public:
    Error(const std::string& source, int line, const std::string& what)
        : std::runtime_error(source + ":" + std::to_string(line) + ": " + what) {}
};

std::vector<std::string> split_on(const std::string& s, char sep) {
    std::vector<std::string> parts;
    size_t start = 0;
    while (true) {
        size_t at = s.find(sep, start);
        parts.push_back(s.substr(start, at == std::string::npos ? std::string::npos : at - start));
        if (at == std::string::npos) break;
        start = at + 1;
    }
    return parts;
}

std::optional<int64_t> to_int(std::string s) {
    while (!s.empty() && (s.back() == '\r' || s.back() == ' ')) s.pop_back();
    int64_t v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size() || s.empty()) return std::nullopt;
    return v;
}

struct Record {
    int line = 0;  ///< line of the guid
    int64_t guid = 0;
    int type = 0;
    std::vector<std::pair<int64_t, int64_t>> deps;  ///< (guid, output)
    std::vector<int64_t> params;
};

class Loader {
public:
    Loader(std::string source) : d_source(std::move(source)) {}

    Model run(std::istream& in, const std::string& name) {
        std::vector<Record> records = read(in);
        for (const Record& r : records) add(r);
        std::vector<ValueRef> outputs;
        std::set<ValueRef> seen;
        for (const ValueRef& v : d_results)
            if (!d_consumed.count(v) && seen.insert(v).second) outputs.push_back(v);
        if (outputs.empty()) throw std::runtime_error(d_source + ": no operators");
        return std::move(d_nb).finish(name, std::move(outputs));
    }

private:
    std::vector<Record> read(std::istream& in) {
        std::vector<std::string> lines;
        for (std::string l; std::getline(in, l);) lines.push_back(l);
        while (!lines.empty() && lines.back().find_first_not_of(" \r\t") == std::string::npos)
            lines.pop_back();  // trailing blank lines
        if (lines.size() % 4 != 0)
            throw Error(d_source, static_cast<int>(lines.size()),
                        "truncated record: the file has " + std::to_string(lines.size()) +
                            " lines, not a multiple of 4 (guid, type, operands, parameters)");
        std::vector<Record> out;
        for (size_t i = 0; i < lines.size(); i += 4) {
            Record r;
            r.line = static_cast<int>(i) + 1;
            auto guid = to_int(lines[i]);
            if (!guid) throw Error(d_source, r.line, "expected an operator id, got '" + lines[i] + "'");
            auto type = to_int(lines[i + 1]);
            if (!type)
                throw Error(d_source, r.line + 1, "expected an operator type number, got '" + lines[i + 1] + "'");
            r.guid = *guid;
            r.type = static_cast<int>(*type);
            if (!lines[i + 2].empty() && lines[i + 2] != "\r") {
                for (const std::string& d : split_on(lines[i + 2], ',')) {
                    auto parts = split_on(d, ':');
                    auto g = parts.size() == 2 ? to_int(parts[0]) : std::nullopt;
                    auto o = parts.size() == 2 ? to_int(parts[1]) : std::nullopt;
                    if (!g || !o) throw Error(d_source, r.line + 2, "expected operands as id:output, got '" + d + "'");
                    r.deps.emplace_back(*g, *o);
                }
            }
            if (!lines[i + 3].empty() && lines[i + 3] != "\r") {
                for (const std::string& p : split_on(lines[i + 3], ',')) {
                    auto v = to_int(p);
                    if (!v)
                        throw Error(d_source, r.line + 3, "expected integer parameters, got '" + lines[i + 3] + "'");
                    r.params.push_back(*v);
                }
            }
            out.push_back(std::move(r));
        }
        return out;
    }

    // A pending input or weight, made a graph variable on first use.
    struct Var {
        Role role;
        std::vector<int64_t> dims;
        std::optional<ValueRef> ref;
    };

    ValueRef operand(const Record& r, size_t k, bool consume = true) {
        if (k >= r.deps.size())
            throw Error(d_source, r.line + 2,
                        std::string(taso_op_name(r.type)) + " needs operand " + std::to_string(k + 1) + ", has " +
                            std::to_string(r.deps.size()));
        auto [g, o] = r.deps[k];
        const std::string ref = std::to_string(g) + ":" + std::to_string(o);
        if (auto it = d_vars.find(g); it != d_vars.end()) {
            Var& v = it->second;
            if (o != 0) throw Error(d_source, r.line + 2, "operand " + ref + ": an input has one output");
            if (!v.ref)
                v.ref = v.role == Role::Weight ? d_nb.weight(v.dims, "weight_" + std::to_string(g))
                                               : d_nb.input("input_" + std::to_string(g), v.dims);
            return *v.ref;
        }
        auto it = d_ops.find(g);
        if (it == d_ops.end()) throw Error(d_source, r.line + 2, "operand " + ref + " refers to no earlier operator");
        if (o < 0 || static_cast<size_t>(o) >= it->second.size())
            throw Error(d_source, r.line + 2,
                        "operand " + ref + ": operator " + std::to_string(g) + " has " +
                            std::to_string(it->second.size()) + " output(s)");
        ValueRef v = it->second[static_cast<size_t>(o)];
        if (consume) d_consumed.insert(v);
        return v;
    }

    void need_params(const Record& r, size_t n) {
        if (r.params.size() < n)
            throw Error(d_source, r.line + 3,
                        std::string(taso_op_name(r.type)) + " needs " + std::to_string(n) + " parameters, got " +
                            std::to_string(r.params.size()));
    }

    int narrow(const Record& r, int64_t v) {
        if (v < INT32_MIN || v > INT32_MAX)
            throw Error(d_source, r.line + 3, "parameter " + std::to_string(v) + " out of range");
        return static_cast<int>(v);
    }

    Padding padding(const Record& r, int64_t v) {
        if (v != 0 && v != 1)
            throw Error(d_source, r.line + 3, "padding must be 0 (SAME) or 1 (VALID), got " + std::to_string(v));
        return static_cast<Padding>(v);
    }

    Activation activation(const Record& r, int64_t v) {
        if (v < 0 || v > 3) throw Error(d_source, r.line + 3, "activation must be 0..3, got " + std::to_string(v));
        return static_cast<Activation>(v);
    }

    // TASO writes the operand's dimensions first: check them, so a file whose shapes disagree
    // with its own record is caught where it is wrong, not several operators later.
    void check_dims(const Record& r, ValueRef x, size_t count) {
        need_params(r, count);
        std::vector<int64_t> want(r.params.begin(), r.params.begin() + static_cast<std::ptrdiff_t>(count));
        if (d_nb.dims(x) != want) {
            std::string w;
            for (size_t i = 0; i < want.size(); ++i) w += (i ? "," : "") + std::to_string(want[i]);
            throw Error(d_source, r.line + 3,
                        std::string(taso_op_name(r.type)) + ": parameters say operand [" + w + "], operand is " +
                            d_nb.type(x).to_string());
        }
    }

    std::vector<ValueRef> apply(const Record& r) {
        const auto& p = r.params;
        switch (r.type) {
            case kConv2d: {
                ValueRef x = operand(r, 0), w = operand(r, 1);
                check_dims(r, x, 4);
                need_params(r, 12);
                return {d_nb.conv(x, w, narrow(r, p[8]), narrow(r, p[9]), padding(r, p[10]), activation(r, p[11]))};
            }
            case kPoolMax:
            case kPoolAvg: {
                ValueRef x = operand(r, 0);  // operand 2 is TASO's pooling "weight": not data
                check_dims(r, x, 4);
                need_params(r, 11);
                auto f = r.type == kPoolMax ? &NetBuilder::maxpool : &NetBuilder::avgpool;
                return {(d_nb.*f)(x, narrow(r, p[5]), narrow(r, p[6]), narrow(r, p[7]), narrow(r, p[8]),
                                  padding(r, p[9]), activation(r, p[10]))};
            }
            case kRelu: return {d_nb.relu(operand(r, 0))};
            case kSigmoid: return {d_nb.sigmoid(operand(r, 0))};
            case kTanh: return {d_nb.tanh(operand(r, 0))};
            case kDropout: return {operand(r, 0, /*consume=*/false)};  // identity at inference
            case kBatchnorm: return {d_nb.batchnorm(operand(r, 0), "bn_" + std::to_string(r.guid))};
            case kEwAdd: return {d_nb.add(operand(r, 0), operand(r, 1))};
            case kEwMul: return {d_nb.mul(operand(r, 0), operand(r, 1))};
            case kMatmul: {
                ValueRef a = operand(r, 0), b = operand(r, 1);
                need_params(r, 1);
                return {d_nb.matmul(a, b, activation(r, p[0]))};
            }
            case kConcat: {
                need_params(r, 1);
                std::vector<ValueRef> parts;
                for (size_t k = 0; k < r.deps.size(); ++k) parts.push_back(operand(r, k));
                return {d_nb.concat(narrow(r, p[0]), parts)};
            }
            case kSplit: {
                ValueRef x = operand(r, 0);
                need_params(r, 3);
                if (p.size() != 3)
                    throw Error(
                        d_source, r.line + 3,
                        "OP_SPLIT into " + std::to_string(p.size() - 1) + " parts: the IR's split has two outputs");
                auto outs = d_nb.graph().add(OpKind::Split, param::axis_param(narrow(r, p[0])), {x});
                const size_t axis = static_cast<size_t>(p[0]);
                if (d_nb.dim(outs[0], axis) != p[1] || d_nb.dim(outs[1], axis) != p[2])
                    throw Error(d_source, r.line + 3,
                                "OP_SPLIT sizes " + std::to_string(p[1]) + "," + std::to_string(p[2]) +
                                    " are not the concat boundary of " + d_nb.type(x).to_string() +
                                    " (the IR's split cuts there)");
                return outs;
            }
            case kReshape: return {d_nb.reshape(operand(r, 0), p)};
            case kTranspose: {
                ValueRef x = operand(r, 0);
                need_params(r, 1);
                const size_t n = static_cast<size_t>(p[0]);
                if (p[0] < 0 || p.size() != n + 2)
                    throw Error(d_source, r.line + 3, "OP_TRANSPOSE parameters must be rank, permutation, shuffle");
                std::vector<int32_t> perm;
                for (size_t i = 0; i < n; ++i) perm.push_back(narrow(r, p[1 + i]));
                return {d_nb.graph().add1(OpKind::Transpose, param::transpose(perm, p[n + 1] != 0), {x})};
            }
            default:
                throw Error(
                    d_source, r.line + 1,
                    "unsupported TASO operator type " + std::to_string(r.type) + " (" + taso_op_name(r.type) + ")");
        }
    }

    void add(const Record& r) {
        if (d_vars.count(r.guid) || d_ops.count(r.guid))
            throw Error(d_source, r.line, "operator id " + std::to_string(r.guid) + " used twice");
        if (r.type == kInput || r.type == kWeight) {
            if (r.params.empty()) throw Error(d_source, r.line + 3, "an input needs its dimensions");
            for (int64_t d : r.params)
                if (d < 1) throw Error(d_source, r.line + 3, "dimensions must be positive");
            d_vars[r.guid] = Var{r.type == kWeight ? Role::Weight : Role::Activation, r.params, std::nullopt};
            return;
        }
        std::vector<ValueRef> outs;
        try {
            outs = apply(r);
        } catch (const TypeError& e) {
            throw Error(d_source, r.line,
                        std::string(taso_op_name(r.type)) + " " + std::to_string(r.guid) + ": " + e.what());
        }
        for (const ValueRef& v : outs) d_results.push_back(v);
        d_ops[r.guid] = std::move(outs);
    }

    std::string d_source;
    NetBuilder d_nb;
    std::map<int64_t, Var> d_vars;
    std::map<int64_t, std::vector<ValueRef>> d_ops;
    std::vector<ValueRef> d_results;  ///< every operator output, in file order
    std::set<ValueRef> d_consumed;
};

}  // namespace

Model parse_tensat_model(std::istream& in, const std::string& source, const std::string& name) {
    return Loader(source).run(in, name);
}

Model load_tensat_model(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw std::runtime_error(path + ": cannot open: " + std::strerror(errno));  // errno: from open()
    return parse_tensat_model(in, path, std::filesystem::path(path).stem().string());
}

}  // namespace rf::applier

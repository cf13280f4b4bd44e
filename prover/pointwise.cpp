// The pointwise strategy's entry point (prover/pointwise.h): both sides of a rule encoded at one
// symbolic position of each output and asked to differ there.
#include "prover/pointwise.h"

#include <algorithm>
#include <map>
#include <set>
#include <stdexcept>

#include "prover/pointwise_encoder.h"
#include "prover/smtlib.h"

namespace rf::prover {

using pointwise_detail::Comb;
using pointwise_detail::Encoder;
using pointwise_detail::Index;
using pointwise_detail::Pos;

std::optional<PointwiseQuery> encode_pointwise(const Rule& rule, std::string& why, PointwiseFault fault,
                                               DivisorMode divisors) {
    try {
        Encoder e(rule, fault);
        if (divisors == DivisorMode::AssumeNonZero) e.assume_nonzero_divisors();
        std::map<ValueRef, Comb> lmemo, rmemo;
        std::vector<TermId> differ;
        std::vector<std::pair<TermId, TermId>> sides;
        std::string identity;
        Index first;  // the first output's position
        for (size_t o = 0; o < rule.num_outputs(); ++o) {
            const ValueRef lo = rule.lhs.outputs()[o], ro = rule.rhs.outputs()[o];
            Comb l = e.value(rule.lhs, lo, lmemo);
            Comb r = e.value(rule.rhs, ro, rmemo);
            const TensorType& type = rule.lhs.type(lo);
            Index idx(type.rank());
            for (size_t k = 0; k < idx.size(); ++k) {
                idx[k] = Pos{static_cast<int>(100 * o + k), 0};
                if (type.dims[k].terms().empty()) e.set_range(idx[k].sym, type.dims[k].constant());
            }
            if (o == 0) first = idx;
            TermId ls = e.scalar(l, idx), rs = e.scalar(r, idx);
            identity +=
                (identity.empty() ? "" : "; ") + term_to_smtlib(e.terms(), ls) + " = " + term_to_smtlib(e.terms(), rs);
            if (ls != rs) differ.push_back(e.terms().distinct(ls, rs));
            sides.emplace_back(ls, rs);
        }
        e.register_divisors(first);  // also those the normal form cancelled or summed over
        const size_t num_divisors = e.divisors().size();
        if (divisors == DivisorMode::AskZero) {
            differ.clear();
            for (TermId d : e.divisors()) differ.push_back(e.terms().eq(d, e.terms().real_lit(0)));
        }
        PointwiseQuery q = e.finish(std::move(differ));
        q.identity = std::move(identity);
        q.divisors = num_divisors;
        q.sides = std::move(sides);
        return q;
    } catch (const std::domain_error& x) {
        why = std::string("outside the pointwise fragment: ") + x.what();
        return std::nullopt;
    }
}

}  // namespace rf::prover

// The assumptions a rule may be proved under beyond its own typing, as data: the prover adds
// them when a rule does not follow as stated (prover/checker.h), the database stores them per
// proof, the applier checks them at every site, and exporters carry them or leave the rule out.
// The words people read are rendered from them, in the variable names of the rule at hand, by
// the one function `condition_texts` (the rule's typing conditions, then these).
//
// Each kind is a predicate over the rule's shapes that does not depend on variable names or on
// which side is the left one, so it survives canonical renaming and orientation in the database:
//   dense_convolutions: every conv2d of the rule (either side) is dense, groups = 1 (input
//                       channels = weight channels);
//   same_shapes:        variables of one role and rank have one shape;
//   nonzero_divisors:   every divisor of an ewdiv (either side) is non-zero at every element --
//                       a condition on values, not shapes: a consumer must know it of its data
//                       (the applier's numerical check sees a violation as a mismatch).
// A typing condition (Rule::conditions) needs no entry: the rule does not type-check without it,
// so every consumer's own shape checking enforces it.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rf {

struct Rule;

enum class Precondition { DenseConvolutions, SameShapes, NonZeroDivisors };

/// "dense_convolutions", "same_shapes", "nonzero_divisors": the spelling in the native syntax,
/// JSON and the database.
const char* precondition_name(Precondition p);
std::optional<Precondition> precondition_from(std::string_view name);
/// What it means in words, without variable names ("convolutions are dense (groups = 1)").
const char* precondition_meaning(Precondition p);

/// The kinds a proof condition written by ruleforge before preconditions were data names (its
/// "(groups = 1)" and "(same shape)" tags): for databases of older schema versions only.
std::vector<Precondition> preconditions_from_legacy_text(const std::string& condition);

/// `rule.preconditions` in words, in the rule's own variable names, one text per equation group:
/// "x[1] = w[1] (groups = 1)", "a = b (same shape)". A kind the rule's typing already satisfies
/// (every convolution typed dense) gives no text.
std::vector<std::string> precondition_texts(const Rule& rule);
/// Everything a rule holds under, in its own names: its typing conditions, then its preconditions.
std::vector<std::string> condition_texts(const Rule& rule);

/// Whether a rule's preconditions hold at its shapes (meant for a concrete instance, where a
/// dimension equality is decided; on symbolic shapes, "holds" means "holds for every value").
bool preconditions_hold(const Rule& rule);

}  // namespace rf

// Which items of a stage a run has finished, as spans of item indices, so that a resumed run
// redoes exactly the unfinished ones whatever batch size it is given.
//
// A stage works over a deterministic list (the enumerator's candidate order, its class order)
// and marks each transaction's items done as one unit named by their index range, "i<lo>-<hi>"
// (items lo..hi-1). Earlier versions named a unit by its batch number, "b<k>", which means
// nothing without the batch size of the run that wrote it: a resume with another --batch then
// skipped work it had never done (issue 24). Those units are still read, at the batch size the
// resume is given (correct when it is the interrupted run's own, as before).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace rf::pipeline {

struct Span {
    size_t lo = 0, hi = 0;  ///< items lo..hi-1
    bool done = false;      ///< marked done by an earlier transaction of the run
    size_t size() const { return hi - lo; }
};

/// The unit name a span's transaction marks done.
std::string span_unit(const Span& s);

/// Items [0, n) cut into spans in order, at most `batch` items each: the ones `done_units`
/// cover (done) and the others (open). Throws std::invalid_argument for a unit this version
/// did not write (the database holds another program's idea of the stage).
std::vector<Span> plan_spans(const std::vector<std::string>& done_units, size_t n, size_t batch);

/// The open spans only.
std::vector<Span> open_spans(const std::vector<std::string>& done_units, size_t n, size_t batch);

/// Items the spans hold.
size_t span_items(const std::vector<Span>& spans);

}  // namespace rf::pipeline

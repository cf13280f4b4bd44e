// The report's output directory, written all at once: pages go to a hidden staging directory
// beside DIR, which then takes DIR's place in one atomic exchange (renameat2) so that a reader
// (or a browser with the old report open) never sees half a report. An existing DIR is replaced
// only when it is empty or holds a previous report (the marker file); anything else is refused
// before a byte is written. Internal to site/.
#pragma once

#include <string>

namespace rf::site {

class OutputDir {
public:
    /// Checks `out_dir` and creates the staging directory. Throws SiteError.
    explicit OutputDir(const std::string& out_dir);
    /// Removes the staging directory unless commit() ran.
    ~OutputDir();
    OutputDir(const OutputDir&) = delete;
    OutputDir& operator=(const OutputDir&) = delete;

    /// Where pages are written until commit().
    const std::string& staging() const { return d_staging; }
    /// Swaps the staging directory in as `out_dir`; returns true when a previous report was
    /// replaced. Throws SiteError.
    bool commit();

private:
    std::string d_out, d_staging;
    bool d_existed = false, d_committed = false;
};

}  // namespace rf::site

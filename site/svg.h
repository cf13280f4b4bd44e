// Rendering Graphviz pictures to SVG by running the `dot` program once for a whole batch of
// graphs (one process for the report, not one per rule: a size-2 discovery has hundreds of
// rules and a process start costs more than the layout). Internal to site/.
#pragma once

#include <string>
#include <vector>

namespace rf::site {

/// The SVG of each `digraph` in `graphs`, in order, each starting at its `<svg` element (ready to
/// inline in HTML). `work_dir` holds the temporary input and output. Throws SiteError when the
/// program is missing ("install graphviz"), fails, or returns another number of pictures.
std::vector<std::string> render_svgs(const std::vector<std::string>& graphs, const std::string& dot_program,
                                     const std::string& work_dir);

}  // namespace rf::site

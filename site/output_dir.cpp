// The report's output directory (see output_dir.h).
#include "site/output_dir.h"

#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "site/site.h"

namespace fs = std::filesystem;

namespace rf::site {

OutputDir::OutputDir(const std::string& out_dir) {
    if (out_dir.empty()) throw SiteError("--out: an output directory is required");
    fs::path out = fs::absolute(fs::path(out_dir)).lexically_normal();
    if (out.filename().empty()) out = out.parent_path();  // "DIR/" names DIR
    d_out = out.string();
    std::error_code ec;
    const auto st = fs::symlink_status(out, ec);
    if (fs::exists(st)) {
        if (!fs::is_directory(st))
            throw SiteError("--out '" + out_dir + "' exists and is not a directory; give a new directory");
        const bool empty = fs::is_empty(out, ec);
        if (!empty && !fs::exists(out / kMarkerFile))
            throw SiteError("--out '" + out_dir + "' is a non-empty directory that is not a ruleforge report (no " +
                            kMarkerFile + " file); refusing to replace it: give a new or empty directory");
        d_existed = true;
    }
    const fs::path parent = out.parent_path();
    if (!fs::is_directory(parent, ec))
        throw SiteError("--out '" + out_dir + "': the directory '" + parent.string() + "' does not exist");
    const fs::path staging = parent / ("." + out.filename().string() + ".staging-" + std::to_string(getpid()));
    fs::remove_all(staging, ec);
    if (!fs::create_directory(staging, ec))
        throw SiteError("cannot create '" + staging.string() + "': " + (ec ? ec.message() : "exists"));
    d_staging = staging.string();
}

OutputDir::~OutputDir() {
    if (d_committed || d_staging.empty()) return;
    std::error_code ec;
    fs::remove_all(d_staging, ec);
}

bool OutputDir::commit() {
    if (!d_existed) {
        if (::rename(d_staging.c_str(), d_out.c_str()) != 0)
            throw SiteError("cannot move the report into '" + d_out + "': " + std::strerror(errno));
        d_committed = true;
        return false;
    }
    // One atomic exchange; the staging name then holds the old report, which is removed.
    if (::renameat2(AT_FDCWD, d_staging.c_str(), AT_FDCWD, d_out.c_str(), RENAME_EXCHANGE) != 0) {
        // A file system without RENAME_EXCHANGE: move the old one aside, then the new one in.
        const std::string aside = d_staging + ".old";
        if (::rename(d_out.c_str(), aside.c_str()) != 0 || ::rename(d_staging.c_str(), d_out.c_str()) != 0)
            throw SiteError("cannot replace '" + d_out + "': " + std::strerror(errno));
        d_committed = true;
        std::error_code ec;
        fs::remove_all(aside, ec);
        return true;
    }
    d_committed = true;
    std::error_code ec;
    fs::remove_all(d_staging, ec);
    return true;
}

}  // namespace rf::site

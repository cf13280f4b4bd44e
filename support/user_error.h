// The one base of every error that is the user's to fix (rule text that does not parse or type,
// a database that cannot be used, a file that is not the format it claims, an output path that
// must not be written, a bad option). The command line catches it once (cli/cli.cpp) and prints
// `error: COMMAND: what` with exit code 2; anything else that escapes is a bug (exit 3).
// Header-only so that every library, ir/ included, can throw it without a link dependency.
#pragma once

#include <stdexcept>

namespace rf::support {

class UserError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

}  // namespace rf::support

// Entry point of the `ruleforge` binary; all logic is in run_cli (cli/cli.cpp) so tests can call it.
#include <iostream>

#include "cli/cli.h"

int main(int argc, char** argv) {
    std::vector<std::string> args(argv + 1, argv + argc);
    return rf::cli::run_cli(args, std::cout, std::cerr);
}

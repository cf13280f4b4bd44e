#include "cli/cli.h"

#include <exception>
#include <iostream>
#include <string_view>

#include "cli/command.h"
#include "cli/thread_placement.h"
#include "support/stop.h"
#include "support/user_error.h"

namespace rf::cli {

namespace {

// Only commands that work are listed; each later stage adds its own line here.
const std::vector<Command>& commands() {
    static const std::vector<Command> table = {
        {"fmt", "parse rules, type-check both sides, print them normalised or canonical", run_fmt},
        {"check", "prove rules from the axioms with Z3 and/or cvc5 (one line per rule)", run_check},
        {"audit",
         "explain one rule: shapes, conditions, each back-end's verdict, axioms used, "
         "counterexample",
         run_audit},
        {"axioms", "list the prover's axioms: name, statement, shape condition", run_axioms},
        {"list", "list the rules of a database (filters: status, operator, size)", run_list},
        {"show", "show one rule: text, proofs per back-end, pruning decision, provenance", run_show},
        {"merge", "merge databases of separate runs or MPI ranks, without duplicates", run_merge},
        {"discover", "enumerate, prove and keep rules into a database in one resumable run", run_discover},
        {"enumerate", "enumerate graphs up to a size, group by exact fingerprint, list candidates", run_enumerate},
        {"prove", "prove every unproved candidate and rule in a database; record the proofs", run_prove},
        {"convert", "convert a rule file between native, TENSAT, TASO, FlexFlow, JSON and DOT", run_convert},
        {"export", "write a database's rules as TASO, TENSAT, FlexFlow, JSON, DOT or native", run_export},
        {"import", "add a TASO, TENSAT, native or FlexFlow rule file to a database", run_import},
        {"compare", "tell for each reference rule: found, derivable from kept rules, or missing (why)", run_compare},
        {"apply", "apply rules to a model: match, rewrite, check numerically, time; --optimize searches", run_apply},
        {"optimize", "make a model faster with the proved rules, measured end to end; --out writes ONNX", run_optimize},
        {"report", "write a static HTML report: every rule, its proofs, pictures, axioms, runs", run_report},
    };
    return table;
}

void print_help(std::ostream& out) {
    out << "ruleforge " RF_VERSION
           " - discover, prove and ship rewrite rules for tensor programs\n\n"
           "usage: ruleforge COMMAND [OPTIONS]\n\n"
           "commands:\n";
    for (const Command& c : commands())
        out << "  " << c.name << std::string(12 - std::string_view(c.name).size(), ' ') << c.summary << "\n";
    out << "\n'ruleforge COMMAND --help' describes a command's options.\n";
}

}  // namespace

int run_cli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
    if (args.empty()) {
        print_help(err);
        return kUsage;
    }
    const std::string& name = args[0];
    if (name == "--help" || name == "-h" || name == "help") {
        print_help(out);
        return kOk;
    }
    if (name == "--version") {
        out << "ruleforge " RF_VERSION "\n";
        return kOk;
    }
    for (const Command& c : commands()) {
        if (name != c.name) continue;
        spread_openmp_threads();
        // SIGINT/SIGTERM end a command at once with 128 + signal; the long-running ones
        // (discover, enumerate, prove) switch to stopping cleanly (support/stop.h).
        support::install_stop_handlers(support::StopMode::Immediate);
        try {
            return c.run(std::vector<std::string>(args.begin() + 1, args.end()), out, err);
        } catch (const support::Interrupted& e) {
            err << "interrupted: " << e.what() << "\n";
            return e.exit_code();
        } catch (const UsageError& e) {  // the command's own: its message names the command
            err << "error: " << e.what() << "\n";
            return kUsage;
        } catch (const support::UserError& e) {
            // A library's (a database that cannot be used, rule text that does not parse, a file
            // that cannot be read, an --out that would overwrite an input, a bad option value).
            err << "error: " << c.name << ": " << e.what() << "\n";
            return kUsage;
        } catch (const std::exception& e) {
            err << "internal error: " << e.what() << "\n";
            return kInternal;
        }
    }
    err << "error: unknown command '" << name << "' (see 'ruleforge --help')\n";
    return kUsage;
}

}  // namespace rf::cli

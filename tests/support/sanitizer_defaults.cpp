// Built into every executable of a sanitizer build (-DRF_SANITIZE=ON, top-level CMakeLists.txt):
// the LeakSanitizer suppressions that belong to third-party libraries, compiled in so that the
// test runner, the `ruleforge` children the tests start, and a hand run all apply them without
// an environment variable. Our own code gets no suppression: a leak in ruleforge is a finding.
//
// - CLN (libcln6, the arbitrary-precision library cvc5 1.0.3 links): the static initializer
//   `cl_prin_globals_init_helper` (CLN's default printer settings) stores a heap string
//   (`cl_make_heap_string`) in a global and never frees it. It runs when libcln.so is loaded,
//   before main, so every process that links cvc5 reports "26 bytes leaked" at exit. The
//   suppression names the library, not the function: libcln is built without frame pointers,
//   so LeakSanitizer's fast unwinder sees only `malloc <- libcln.so.6+0x650fc` (a slow unwind
//   on every malloc would make the suite several times slower). Nothing in ruleforge calls CLN
//   directly: only a leak whose recorded stack passes through CLN (cvc5's arithmetic) is matched.

extern "C" const char* __lsan_default_suppressions() { return "leak:libcln.so\n"; }

// Without this, every process would end with a "Suppressions used:" table on stderr, which the
// tests that read a command's stderr would see.
extern "C" const char* __lsan_default_options() { return "print_suppressions=0"; }

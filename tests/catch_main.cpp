// The Catch2 runner's main, compiled once.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>

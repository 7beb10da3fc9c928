// main.cpp — the Catch2 v2 runner of axsim's C/C++ tests.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>

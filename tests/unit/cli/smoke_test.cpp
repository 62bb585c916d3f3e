#include <gtest/gtest.h>

#include "cli/commands.h"

TEST(Smoke, OptionsDefaultToAkasaAlgorithm) {
    akasa::cli::InsertPasswordOptions o;
    EXPECT_EQ(o.hash_algorithm, "sha512-pkbdf2");
}

// compare_files stops its counterfactual run when asked (CompareOptions::cancelled, which Python's
// Ctrl-C sets through sandan.compare): Cancelled, not a finished comparison.
#include <doctest/doctest.h>

#include <filesystem>
#include <string>

#include "sandan.hpp"
#include "support/fixtures.hpp"

using namespace sandan::test;

TEST_CASE("a comparison that needs a counterfactual stops when cancelled, and runs it when not") {
  const TempDir dir("compare_cancel");
  const std::string scenarios = std::string(SANDAN_SOURCE_DIR) + "/scenarios/";
  // A and B differ in their year and grid factor (background), so B − A needs the counterfactual run.
  write_text(dir.path() / "a.yaml", "name: a\nextends: " + scenarios +
                                        "baseline.yaml\ncomplexes: [local]\nmodels: [energy, emissions]\n");
  write_text(dir.path() / "b.yaml",
             "name: b\nextends: " + scenarios +
                 "rooftop_pv.yaml\ncomplexes: [local]\nmodels: [energy, emissions]\nyear: 2030\n"
                 "grid_emission_factor: {t_per_mwh: 0.26}\n");
  for (const char* name : {"a", "b"}) {
    const Command run =
        run_command("cd " + std::string(SANDAN_SOURCE_DIR) + " && " + SANDAN_EXE + " run " +
                        dir.str(std::string(name) + ".yaml") + " -o " + dir.str(std::string(name) + ".h5"),
                    dir);
    INFO(run.err);
    REQUIRE(run.exit_code == 0);
  }
  // The stored scenarios name the repository's files relative to it.
  std::filesystem::current_path(SANDAN_SOURCE_DIR);
  sandan::CompareOptions stop;
  stop.cancelled = [] { return true; };
  CHECK_THROWS_AS((void)sandan::compare_files(dir.str("a.h5"), dir.str("b.h5"), stop), sandan::Cancelled);
  const sandan::Comparison done = sandan::compare_files(dir.str("a.h5"), dir.str("b.h5"), {});
  CHECK(done.attribution.status == sandan::AttributionStatus::kAttributed);
}

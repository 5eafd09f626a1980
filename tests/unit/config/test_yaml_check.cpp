#include <doctest/doctest.h>

#include <yaml-cpp/yaml.h>

#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "config/yaml_check.hpp"
#include "core/error.hpp"

using namespace sandan::config;

namespace {

bool has(const Problems& problems, const std::string& text) {
  for (const auto& problem : problems.list()) {
    if (problem == text) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("paths and descriptions") {
  CHECK(join_path("", "a") == "a");
  CHECK(join_path("a", "b") == "a.b");
  CHECK(indexed("a.b", 2) == "a.b[2]");
  CHECK(describe(YAML::Load("~")) == "nothing");
  CHECK(describe(YAML::Node()) == "nothing");
  CHECK(describe(YAML::Load("{a: 1}")) == "a map");
  CHECK(describe(YAML::Load("[1]")) == "a list");
  CHECK(describe(YAML::Load("word")) == "'word'");
  CHECK(describe(YAML::Load("\"1.5\"")) == "the text \"1.5\"");
  CHECK(format_number(0.25) == "0.25");
  CHECK(format_number(1e9) == "1e+09");
}

TEST_CASE("MapView reports unknown, repeated and missing keys") {
  const YAML::Node root = YAML::Load("top:\n  a: 1\n  b: 2\n  a: 3\n  c: 4\n");
  Problems problems("f.yaml");
  const MapView top(root, "", problems, {"top"});
  REQUIRE(top.ok());
  CHECK(top.key_line("top") == 1);
  const MapView map(*top.get("top"), top.path("top"), problems, {"a", "d"}, {"b"});
  CHECK(map.ok());
  CHECK(map.key_line("b") == 3);
  CHECK(map.get("b"));
  CHECK_FALSE(map.get("c"));
  CHECK(has(problems, "f.yaml:4: top.a: repeated key"));
  CHECK(has(problems, "f.yaml:5: top.c: unknown key"));
  CHECK(has(problems, "f.yaml:2: top.d: missing"));
  CHECK(problems.list().size() == 3);

  Problems at_key("f.yaml");
  const MapView placed(*top.get("top"), "top", at_key, {"a", "b", "c", "d"}, {}, top.key_line("top"));
  CHECK(has(at_key, "f.yaml:1: top.d: missing"));
}

TEST_CASE("a document that is not a map is named by the reader's top name") {
  Problems problems("f.yaml", "(top)");
  const MapView top(YAML::Load("[1, 2]"), "", problems, {"a"});
  CHECK_FALSE(top.ok());
  CHECK(problems.list() == std::vector<std::string>{"f.yaml:1: (top): must be a map, got a list"});
}

TEST_CASE("typed getters") {
  const YAML::Node root = YAML::Load(
      "text: hello\nempty: ''\nnumber: 1.5\nquoted: \"1.5\"\nwhole: 3\nhalf: 2.5\nyes: true\nmaybe: "
      "perhaps\nlist: [a, b]\nbad_list: [a, [b]]\n");
  Problems problems("f.yaml");
  const MapView map(
      root, "", problems, {},
      {"text", "empty", "number", "quoted", "whole", "half", "yes", "maybe", "list", "bad_list"});
  CHECK(read_text(map, "text", problems) == "hello");
  CHECK_FALSE(read_text(map, "empty", problems));
  CHECK_FALSE(read_text(map, "absent", problems));
  CHECK(read_number(map, "number", problems) == 1.5);
  CHECK_FALSE(read_number(map, "quoted", problems));
  CHECK(as_whole(*map.get("whole"), "whole", problems) == 3);
  CHECK_FALSE(as_whole(*map.get("half"), "half", problems));
  CHECK(as_bool(*map.get("yes"), "yes", problems) == true);
  CHECK_FALSE(as_bool(*map.get("maybe"), "maybe", problems));
  CHECK(as_text_list(*map.get("list"), "list", problems) == std::vector<std::string>{"a", "b"});
  CHECK_FALSE(as_text_list(*map.get("bad_list"), "bad_list", problems));
  CHECK(has(problems, "f.yaml:2: empty: must be a non-empty text, got the text \"\""));
  CHECK(has(problems, "f.yaml:4: quoted: must be a number, got the text \"1.5\""));
  CHECK(has(problems, "f.yaml:6: half: must be a whole number, got 2.5"));
  CHECK(has(problems, "f.yaml:8: maybe: must be true or false, got 'perhaps'"));
  CHECK(has(problems, "f.yaml:10: bad_list[1]: must be a non-empty text, got a list"));
  CHECK(problems.list().size() == 5);
}

TEST_CASE("number ranges") {
  const YAML::Node node = YAML::Load("7");
  Problems problems("f.yaml");
  CHECK(as_number_in(node, "x", 0.0, 10.0, problems) == 7.0);
  CHECK_FALSE(as_number_in(node, "x", 0.0, 1.0, problems));
  CHECK_FALSE(as_number_in(node, "x", 8.0, HUGE_VAL, problems));
  CHECK(problems.list() == std::vector<std::string>{"f.yaml:1: x: must be in [0, 1], got 7",
                                                    "f.yaml:1: x: must be >= 8, got 7"});
}

TEST_CASE("sourced values") {
  const YAML::Node root = YAML::Load(
      "good: {value: 2, source: a survey, confidence: verified}\n"
      "bad: {value: 2, source: a survey, confidence: sure}\n");
  Problems problems("f.yaml");
  const MapView map(root, "", problems, {"good", "bad"});
  const auto good = read_sourced(map, "good", problems);
  REQUIRE(good);
  CHECK(good->value == 2.0);
  CHECK(good->source == "a survey");
  CHECK(good->confidence == "verified");
  CHECK_FALSE(read_sourced(map, "bad", problems));
  CHECK(problems.list() ==
        std::vector<std::string>{
            "f.yaml:2: bad.confidence: must be verified, secondary or estimate, got 'sure'"});
}

namespace {

// A file under the system temp folder, removed at the end of the test.
struct TempFile {
  std::filesystem::path path;
  TempFile(const std::string& name, const std::string& text)
      : path(std::filesystem::temp_directory_path() / (name + "_" + std::to_string(::getpid()))) {
    std::ofstream(path, std::ios::binary) << text;
  }
  ~TempFile() { std::filesystem::remove_all(path); }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
};

std::vector<std::string> load_problems(const std::string& path) {
  try {
    (void)load_yaml_file(path, "tariff file");
  } catch (const sandan::ConfigError& e) {
    return e.problems();
  } catch (const sandan::Error& e) {
    return {e.what()};
  }
  return {};
}

}  // namespace

TEST_CASE("a key repeated anywhere in a file is refused with both lines, not silently dropped") {
  // yaml-cpp keeps the first of two equal keys; a user who wrote `year: 2030` then `year: 2026`
  // would get 2030 without a word.
  const TempFile file("sandan_dup.yaml", "year: 2030\nprices:\n  fuel: a.yaml\n  fuel: b.yaml\nyear: 2026\n");
  const auto problems = load_problems(file.path.string());
  REQUIRE(problems.size() == 2);
  CHECK(problems[0].find(":4: prices.fuel: repeated key (first at line 3)") != std::string::npos);
  CHECK(problems[1].find(":5: year: repeated key (first at line 1)") != std::string::npos);
}

TEST_CASE("a stray ',' is refused as invalid YAML, not read as endless empty documents") {
  // yaml-cpp 0.7's LoadAll never returned on these (found by fuzzing; docs/reliability.md): a token no
  // node starts with was read as an empty document again and again, until memory ran out.
  const TempFile comma("sandan_stray_comma.yaml", ",");
  const auto alone = load_problems(comma.path.string());
  REQUIRE(alone.size() == 1);
  CHECK(alone[0] == comma.path.string() + ":1: not valid YAML: unexpected ',' (a ',' outside [ ] or { }?)");
  const TempFile later("sandan_stray_comma_later.yaml", "year: 2030\n---\nyear: 2026\n---\n  , x\n");
  const auto after_documents = load_problems(later.path.string());
  REQUIRE(after_documents.size() == 1);
  CHECK(after_documents[0].find(later.path.string() + ":5: not valid YAML: unexpected ','") == 0);
}

TEST_CASE("a second YAML document, a folder and absurd nesting are refused naming the file") {
  const TempFile two("sandan_two_docs.yaml", "year: 2030\n---\nyear: 2026\n");
  const auto problems = load_problems(two.path.string());
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].find(two.path.string() + ":3: a second YAML document") == 0);

  const auto folder =
      std::filesystem::temp_directory_path() / ("sandan_yaml_folder_" + std::to_string(::getpid()));
  std::filesystem::create_directories(folder);
  const auto in_folder = load_problems(folder.string());
  std::filesystem::remove_all(folder);
  REQUIRE(in_folder.size() == 1);
  CHECK(in_folder[0] == folder.string() + ": is a folder, not a tariff file; name the file itself");

  std::string deep;
  for (int i = 0; i < 100; ++i) deep += "[";
  for (int i = 0; i < 100; ++i) deep += "]";
  const TempFile nested("sandan_deep.yaml", "a: " + deep + "\n");
  const auto too_deep = load_problems(nested.path.string());
  REQUIRE(too_deep.size() == 1);
  CHECK(too_deep[0].find("nested more than 64 levels deep") != std::string::npos);

  // A list as a key (found by fuzzing: the scenario reader's as<std::string>() threw past its checks).
  const TempFile complex_key("sandan_complex_key.yaml",
                             "interventions:\n? - rooftop_pv: {roof_share: 0.5}\n");
  const auto keyed = load_problems(complex_key.path.string());
  REQUIRE(keyed.size() == 1);
  CHECK(keyed[0].find(":2: (top): a key must be a word, got a list") != std::string::npos);

  // An empty file stays a null document for the readers to report in their own words.
  const TempFile empty("sandan_empty.yaml", "");
  CHECK(load_problems(empty.path.string()).empty());
}

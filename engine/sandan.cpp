#include "sandan.hpp"

namespace sandan {

const char* version() { return SANDAN_VERSION; }

Site synthesize_to_file(const std::string& facts_path, const std::string& output_path,
                        const SynthOptions& synth_options, const WriteOptions& write_options) {
  const SiteFacts facts = read_site_facts(facts_path);
  Site site = synthesize_site(facts, synth_options);
  write_site(site, output_path, write_options);
  return site;
}

}  // namespace sandan

#include "grid/feeders.hpp"

#include <cmath>
#include <map>
#include <unordered_map>

#include "core/error.hpp"
#include "site/topology.hpp"

namespace sandan {

GridModel build_grid_model(const Site& site, const std::vector<LineType>& line_types,
                           const FeederNetworkOptions& options) {
  const FeederTopology topo = build_feeder_topology(site);
  return build_grid_model(site, topo, attach_facilities(site, build_road_graph(site), topo), line_types,
                          options);
}

GridModel build_grid_model(const Site& site, const FeederTopology& topo, const Attachments& attach,
                           const std::vector<LineType>& line_types, const FeederNetworkOptions& options) {
  std::vector<std::string> problems;
  std::unordered_map<std::string, const LineType*> type_of;
  for (const auto& t : line_types) type_of.emplace(t.name, &t);
  for (const int s : topo.loop_segments) {
    problems.push_back(
        "layer 'feeders': feeder '" + site.feeders[s].feeder_id + "', segment '" +
        site.feeders[s].segment_id +
        "' closes a loop; the power flow models radial feeders (open the tie: set its status to "
        "0, or remove it)");
  }
  for (const auto& seg : site.feeders) {
    if (type_of.count(seg.line_type) == 0) {
      problems.push_back("layer 'feeders': feeder '" + seg.feeder_id + "', segment '" + seg.segment_id +
                         "': unknown line type '" + seg.line_type +
                         "'; use a type of the line types file or add it there");
    }
  }
  // Facilities attach to the bus the layout names, else to the nearest bus a substation reaches.
  for (std::size_t f = 0; f < site.facilities.size(); ++f) {
    if (attach.bus[f] < 0) {
      problems.push_back("layer 'facilities': facility '" + site.facilities[f].facility_id +
                         "' has no feeder bus to connect to; give it a bus_id of layer 'feeders' or add a "
                         "feeder near it");
    } else if (topo.substation[attach.bus[f]] < 0) {
      problems.push_back("layer 'facilities': facility '" + site.facilities[f].facility_id + "' is on bus '" +
                         topo.bus_ids[attach.bus[f]] +
                         "', which no substation reaches; connect that bus to a feeder of a substation");
    }
  }
  if (!problems.empty()) throw ConfigError("the layout's feeders cannot be modelled", std::move(problems));

  GridModel model;
  const double z_base_ohm = options.feeder_kv * options.feeder_kv / options.base_mva;
  // Buses of the topology → (network, bus index in it).
  std::vector<int> net_of(topo.bus_ids.size(), -1);
  std::vector<int> bus_in(topo.bus_ids.size(), -1);
  std::map<std::string, int> feeder_index;
  for (std::size_t s = 0; s < site.substations.size(); ++s) {
    const Substation& sub = site.substations[s];
    SubstationNetwork sn;
    sn.substation = static_cast<int>(s);
    Network& net = sn.network;
    net.name = sub.substation_id;
    net.base_mva = options.base_mva;
    Bus source;
    source.id = sub.substation_id + "_154kv";
    source.type = BusType::kSlack;
    source.vm_pu = options.source_vm_pu;
    source.base_kv = options.source_kv;
    net.buses.push_back(source);
    Bus mv;
    mv.id = sub.substation_id;
    mv.base_kv = options.feeder_kv;
    net.buses.push_back(mv);
    Generator grid_supply;
    grid_supply.bus = 0;
    grid_supply.vg_pu = options.source_vm_pu;
    net.generators.push_back(grid_supply);
    Branch transformer;
    transformer.id = sub.substation_id + "_tr";
    transformer.from = 0;
    transformer.to = 1;
    const double rating_mva = sub.capacity_mva > 0.0 ? sub.capacity_mva : options.base_mva;
    transformer.x_pu = options.transformer_x_pu * options.base_mva / rating_mva;
    transformer.r_pu = transformer.x_pu / options.transformer_x_over_r;
    transformer.rate_a_mva = rating_mva;
    transformer.tap = options.transformer_tap;
    net.branches.push_back(transformer);
    sn.branch_feeder.push_back(-1);
    sn.bus_feeder = {-1, -1};
    const int root = topo.find_bus(sub.substation_id);
    if (root >= 0) {
      net_of[root] = static_cast<int>(model.networks.size());
      bus_in[root] = 1;
    }
    model.networks.push_back(std::move(sn));
  }
  for (std::size_t b = 0; b < topo.bus_ids.size(); ++b) {
    if (bus_in[b] >= 0 || topo.substation[b] < 0) continue;
    SubstationNetwork& sn = model.networks[topo.substation[b]];
    net_of[b] = topo.substation[b];
    bus_in[b] = static_cast<int>(sn.network.buses.size());
    Bus bus;
    bus.id = topo.bus_ids[b];
    bus.base_kv = options.feeder_kv;
    sn.network.buses.push_back(bus);
    sn.bus_feeder.push_back(-1);
  }
  // Each segment reached from a substation is a branch, oriented away from the substation.
  for (std::size_t b = 0; b < topo.bus_ids.size(); ++b) {
    const int seg_index = topo.parent_segment[b];
    if (seg_index < 0) continue;
    const FeederSegment& seg = site.feeders[seg_index];
    SubstationNetwork& sn = model.networks[net_of[b]];
    auto [it, inserted] = feeder_index.emplace(seg.feeder_id, static_cast<int>(model.feeder_ids.size()));
    if (inserted) {
      model.feeder_ids.push_back(seg.feeder_id);
      model.feeder_substation.push_back(net_of[b]);
    }
    const LineType& type = *type_of.at(seg.line_type);
    const double length_km = seg.length_m / 1000.0;
    Branch line;
    line.id = seg.segment_id;
    line.from = bus_in[topo.parent_bus[b]];
    line.to = bus_in[b];
    line.r_pu = type.r_ohm_per_km * length_km / z_base_ohm;
    line.x_pu = type.x_ohm_per_km * length_km / z_base_ohm;
    // Three-phase rating from the conductor's ampacity: S = √3 · V · I.
    line.rate_a_mva = std::sqrt(3.0) * options.feeder_kv * type.ampacity_a / 1000.0;
    sn.network.branches.push_back(line);
    sn.branch_feeder.push_back(it->second);
    sn.bus_feeder[static_cast<std::size_t>(bus_in[b])] = it->second;
  }
  model.facility_network.assign(site.facilities.size(), -1);
  model.facility_bus.assign(site.facilities.size(), -1);
  for (std::size_t f = 0; f < site.facilities.size(); ++f) {
    const int b = attach.bus[f];
    model.facility_network[f] = net_of[b];
    model.facility_bus[f] = bus_in[b];
  }
  return model;
}

}  // namespace sandan

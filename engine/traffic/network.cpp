#include "traffic/network.hpp"

#include <cmath>
#include <numeric>

namespace sandan {

namespace {

// Counting sort of link indices by a key node: a CSR star whose links keep their order.
void build_star(const std::vector<TrafficLink>& links, int node_count, bool by_from, std::vector<int>& offset,
                std::vector<int>& index) {
  offset.assign(static_cast<std::size_t>(node_count) + 1, 0);
  for (const TrafficLink& link : links) ++offset[static_cast<std::size_t>(by_from ? link.from : link.to) + 1];
  std::partial_sum(offset.begin(), offset.end(), offset.begin());
  index.assign(links.size(), -1);
  std::vector<int> next(offset.begin(), offset.end() - 1);
  for (std::size_t l = 0; l < links.size(); ++l) {
    const int node = by_from ? links[l].from : links[l].to;
    index[static_cast<std::size_t>(next[static_cast<std::size_t>(node)]++)] = static_cast<int>(l);
  }
}

// x^p for the BPR term; the common integer powers avoid std::pow.
double power_of(double x, double p) {
  if (p == 4.0) {
    const double x2 = x * x;
    return x2 * x2;
  }
  if (p == 1.0) return x;
  if (p == 2.0) return x * x;
  if (p == 0.0) return 1.0;
  return std::pow(x, p);
}

}  // namespace

void TrafficNetwork::build_index() {
  build_star(links, node_count, true, out_offset, out_link);
  build_star(links, node_count, false, in_offset, in_link);
}

double link_time(const TrafficLink& link, double flow) {
  return link.free_flow_time * (1.0 + link.b * power_of(flow / link.capacity, link.power));
}

double link_cost(const TrafficNetwork& net, const TrafficLink& link, double flow) {
  return link_time(link, flow) + net.toll_factor * link.toll + net.distance_factor * link.length;
}

double link_cost_derivative(const TrafficLink& link, double flow) {
  if (link.power == 0.0 || flow <= 0.0) {
    // d/dx of t0 b (x/c)^p at 0 is 0 for p > 1 and t0 b / c for p = 1.
    return link.power == 1.0 ? link.free_flow_time * link.b / link.capacity : 0.0;
  }
  return link.free_flow_time * link.b * link.power * power_of(flow / link.capacity, link.power - 1.0) /
         link.capacity;
}

double link_cost_integral(const TrafficNetwork& net, const TrafficLink& link, double flow) {
  // ∫0^x t0 (1 + b (u/c)^p) du = t0 x + t0 b x (x/c)^p / (p + 1).
  const double fixed = net.toll_factor * link.toll + net.distance_factor * link.length;
  return link.free_flow_time * flow *
             (1.0 + link.b * power_of(flow / link.capacity, link.power) / (link.power + 1.0)) +
         fixed * flow;
}

double OdMatrix::total() const { return std::accumulate(values.begin(), values.end(), 0.0); }

}  // namespace sandan

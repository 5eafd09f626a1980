// traffic/dynamic: the link transmission model with discrete vehicles (dynamic.hpp;
// docs/traffic-model.md, "Dynamic loading at shift change").
#include "traffic/dynamic.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <limits>
#include <map>
#include <utility>

namespace sandan {

double backward_wave_kmh(const DnlLink& link) {
  return link.capacity_veh_h / (link.jam_density_veh_km - link.capacity_veh_h / link.free_speed_kmh);
}

namespace {

constexpr double kSecondsPerHour = 3600.0;
constexpr double kMetresPerKm = 1000.0;
constexpr double kTimeEpsilon = 1e-9;

// The state of one link. Budgets are in PCE and are refreshed lazily on the first use in a step
// (stamp): a link that is not used costs nothing.
struct LinkState {
  // FIFO ring of the vehicles on the link: ring[fifo_begin + (head + i) % fifo_size].
  std::size_t fifo_begin = 0;
  std::int32_t fifo_size = 0;
  std::int32_t head = 0;
  std::int32_t count = 0;
  double n_up = 0.0;    // cumulative PCE that entered
  double n_down = 0.0;  // cumulative PCE that left
  // N_down at past step ends: history[hist_begin + k % hist_size] holds N_down at time index k. It is
  // written lazily (sync_history), just before N_down changes: N_down is the same at every index since
  // the last written one, so the slots in between get its current value, and the indices after it
  // are read as the current N_down. A link nobody uses costs nothing a step.
  std::size_t hist_begin = 0;
  std::int32_t hist_size = 0;
  std::int64_t hist_written = 0;  // the latest time index written (index 0, N_down = 0, at the start)
  std::int32_t ff_steps = 1;      // the free-flow time in whole steps (≥ 1)
  double lag_w_steps = 1.0;       // L / w in steps (≥ 1)
  double storage_pce = 0.0;       // k_jam L
  double capacity_step = 0.0;     // C Δt, PCE
  std::int64_t in_stamp = -2;
  double in_remaining = 0.0;  // inflow capacity left in the step (may go negative: a debt)
  double storage_room = 0.0;  // N_down(t + Δt − L/w) + k_jam L − N_up at the step's start, less entries
  bool spare_one = false;     // empty at the step's start and nothing entered yet: takes one vehicle
  std::int64_t out_stamp = -2;
  double out_remaining = 0.0;
};

// One input of a node: an incoming link (origin < 0) or the origin queue `queue`.
struct NodeInput {
  std::int32_t link = -1;
  std::int32_t queue = -1;
  double weight = 1.0;  // capacity, PCE/h: the node model's priority (Tampère et al. 2011)
};

class Simulation {
 public:
  explicit Simulation(const DnlCase& dnl) : c_(dnl) {}

  DnlResult run() {
    setup();
    const auto wall_start = std::chrono::steady_clock::now();
    loop();
    out_.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
    return std::move(out_);
  }

 private:
  void setup() {
    const std::size_t n_links = c_.links.size();
    const std::size_t n_vehicles = c_.vehicles.size();
    dt_ = c_.step_s;
    double min_pce = std::numeric_limits<double>::infinity();
    double max_pce = 0.0;
    for (const DnlVehicle& v : c_.vehicles) {
      min_pce = std::min(min_pce, v.pce);
      max_pce = std::max(max_pce, v.pce);
    }
    if (n_vehicles == 0) min_pce = max_pce = 1.0;
    links_.resize(n_links);
    std::size_t fifo_total = 0;
    std::size_t hist_total = 0;
    for (std::size_t l = 0; l < n_links; ++l) {
      const DnlLink& link = c_.links[l];
      LinkState& s = links_[l];
      const double v_ms = link.free_speed_kmh / 3.6;
      const double w_ms = backward_wave_kmh(link) / 3.6;
      // Travel times round to the nearest step, at least one, so that a vehicle moves at most one
      // link a step (the LTM's condition Δt ≤ L/v, Yperman 2007, holds by construction).
      s.ff_steps = std::max(1, static_cast<int>(std::lround(link.length_m / v_ms / dt_)));
      s.lag_w_steps = std::max(1.0, link.length_m / w_ms / dt_);
      // A link holds at least two of the largest vehicles: with N_down looked up at least a step back,
      // a link that holds one passes one every other step, which for the few-metre links a road
      // graph leaves between nearby junctions would halve their capacity.
      s.storage_pce = std::max(link.jam_density_veh_km * link.length_m / kMetresPerKm, 2.0 * max_pce);
      s.capacity_step = link.capacity_veh_h / kSecondsPerHour * dt_;
      // At most storage + one vehicle of PCE can be on it (an empty link always takes one vehicle).
      s.fifo_size = static_cast<std::int32_t>(std::ceil((s.storage_pce + max_pce) / min_pce)) + 2;
      s.fifo_begin = fifo_total;
      fifo_total += static_cast<std::size_t>(s.fifo_size);
      s.hist_size = static_cast<std::int32_t>(std::ceil(s.lag_w_steps)) + 2;
      s.hist_begin = hist_total;
      hist_total += static_cast<std::size_t>(s.hist_size);
    }
    fifo_.assign(fifo_total, -1);
    history_.assign(hist_total, 0.0);

    // Origin queues: one for each origin zone and first link, FIFO in departure order.
    std::map<std::pair<int, int>, int> queue_of;
    vehicle_queue_.assign(n_vehicles, -1);
    for (std::size_t i = 0; i < n_vehicles; ++i) {
      const DnlVehicle& v = c_.vehicles[i];
      const int first = c_.route_links[static_cast<std::size_t>(v.route_begin)];
      const auto [it, added] = queue_of.try_emplace({v.origin, first}, static_cast<int>(queue_zone_.size()));
      if (added) {
        queue_zone_.push_back(v.origin);
        queue_link_.push_back(first);
      }
      vehicle_queue_[i] = it->second;
    }
    const std::size_t n_queues = queue_zone_.size();
    queue_begin_.assign(n_queues + 1, 0);
    for (const int q : vehicle_queue_) ++queue_begin_[static_cast<std::size_t>(q) + 1];
    for (std::size_t q = 0; q < n_queues; ++q) queue_begin_[q + 1] += queue_begin_[q];
    queue_list_.assign(n_vehicles, -1);
    std::vector<std::size_t> fill(queue_begin_.begin(), queue_begin_.end() - 1);
    for (std::size_t i = 0; i < n_vehicles; ++i)
      queue_list_[fill[static_cast<std::size_t>(vehicle_queue_[i])]++] = static_cast<int>(i);
    queue_head_.assign(queue_begin_.begin(), queue_begin_.end() - 1);
    queue_tail_ = queue_head_;

    // Node inputs: incoming links in link order, then origin queues in queue order.
    const std::size_t n_nodes = c_.nodes.size();
    std::vector<std::vector<NodeInput>> inputs(n_nodes);
    for (std::size_t l = 0; l < n_links; ++l) {
      inputs[static_cast<std::size_t>(c_.links[l].to)].push_back(
          {static_cast<std::int32_t>(l), -1, c_.links[l].capacity_veh_h});
    }
    for (std::size_t q = 0; q < n_queues; ++q) {
      const DnlLink& first = c_.links[static_cast<std::size_t>(queue_link_[q])];
      inputs[static_cast<std::size_t>(first.from)].push_back(
          {-1, static_cast<std::int32_t>(q), first.capacity_veh_h});
    }
    node_begin_.assign(n_nodes + 1, 0);
    for (std::size_t n = 0; n < n_nodes; ++n) {
      node_begin_[n + 1] = node_begin_[n] + inputs[n].size();
      node_inputs_.insert(node_inputs_.end(), inputs[n].begin(), inputs[n].end());
    }
    int max_ff = 1;
    for (const LinkState& link : links_) max_ff = std::max(max_ff, link.ff_steps);
    wake_.assign(static_cast<std::size_t>(max_ff) + 2, {});
    last_processed_.assign(n_nodes, -1);
    served_.assign(node_inputs_.size(), 0.0);
    blocked_.assign(node_inputs_.size(), 0);

    position_.assign(n_vehicles, 0);
    ready_step_.assign(n_vehicles, 0);
    out_.entered_s.assign(n_vehicles, std::numeric_limits<double>::quiet_NaN());
    out_.arrived_s.assign(n_vehicles, std::numeric_limits<double>::quiet_NaN());
    out_.free_flow_s.assign(n_vehicles, 0.0);
    for (std::size_t i = 0; i < n_vehicles; ++i) {
      const DnlVehicle& v = c_.vehicles[i];
      double ff = 0.0;
      for (int r = v.route_begin; r < v.route_end; ++r) {
        const DnlLink& link = c_.links[static_cast<std::size_t>(c_.route_links[static_cast<std::size_t>(r)])];
        ff += link.length_m / (link.free_speed_kmh / 3.6);
      }
      out_.free_flow_s[i] = ff;
    }

    const double span = c_.end_s - c_.start_s;
    steps_ = std::max<std::int64_t>(0, static_cast<std::int64_t>(std::ceil(span / dt_ - kTimeEpsilon)));
    report_steps_ = std::max<std::int64_t>(1, std::llround(c_.report_s / dt_));
    const std::int64_t reports = steps_ == 0 ? 0 : (steps_ + report_steps_ - 1) / report_steps_;
    for (std::int64_t r = 0; r < reports; ++r)
      out_.report_t_s.push_back(c_.start_s + static_cast<double>(r * report_steps_) * dt_);
    const auto cells = static_cast<std::size_t>(reports) * n_links;
    out_.link_inflow.assign(cells, 0);
    out_.link_outflow.assign(cells, 0);
    out_.link_vehicles.assign(cells, 0);
    out_.link_queue.assign(cells, 0);
    out_.link_queue_pce.assign(cells, 0.0F);
    const auto zone_cells = static_cast<std::size_t>(reports) * c_.zones.size();
    out_.zone_departures.assign(zone_cells, 0);
    out_.zone_queue.assign(zone_cells, 0);
  }

  // Writes N_down into the history slots of the time indices after the latest written up to k (N_down
  // has not changed since that one: it is synced before every change). Only the last hist_size
  // indices have slots.
  void sync_history(LinkState& s, std::int64_t k) {
    if (k <= s.hist_written) return;
    double* h = history_.data() + s.hist_begin;
    const std::int64_t from = std::max(s.hist_written + 1, k - s.hist_size + 1);
    auto slot = static_cast<std::int32_t>(from % s.hist_size);
    for (std::int64_t j = from; j <= k; ++j) {
      h[slot] = s.n_down;
      slot = slot + 1 == s.hist_size ? 0 : slot + 1;  // no division a slot
    }
    s.hist_written = k;
  }

  // N_down of a link at time index k: its history up to the latest written index, its current N_down
  // after it (unchanged since then).
  [[nodiscard]] double n_down_index(const LinkState& s, std::int64_t k) const {
    return k > s.hist_written ? s.n_down : history_[s.hist_begin + static_cast<std::size_t>(k % s.hist_size)];
  }

  // N_down of link l at (fractional) time index k (0 before the start), linear between step ends.
  [[nodiscard]] double n_down_at(const LinkState& s, double k) const {
    if (k <= 0.0) return 0.0;
    const auto k0 = static_cast<std::int64_t>(std::floor(k));
    const double frac = k - static_cast<double>(k0);
    const double a = n_down_index(s, k0);
    if (frac <= kTimeEpsilon) return a;
    const double b = n_down_index(s, k0 + 1);
    return a + frac * (b - a);
  }

  // The receiving side of link l in step `step`: R = min(storage room, capacity), refreshed once a step.
  LinkState& receiving(std::size_t l, std::int64_t step) {
    LinkState& s = links_[l];
    if (s.in_stamp != step) {
      // A debt (a vehicle larger than the step's capacity) is paid by the steps since the last use;
      // unused capacity is not banked.
      const double idle = static_cast<double>(step - s.in_stamp - 1);
      const double carry = std::min(0.0, s.in_remaining + idle * s.capacity_step);
      s.in_remaining = carry + s.capacity_step;
      // N_down(t + Δt − L/w): time index step + 1 − L/w ≤ step, so it is in the history.
      s.storage_room = n_down_at(s, static_cast<double>(step + 1) - s.lag_w_steps) + s.storage_pce - s.n_up;
      // Empty at the step's start: N_up then (nothing has entered yet in this step: only this node
      // adds to it, and it asks here first) less N_down then (the history's, not the current count,
      // which the node downstream may already have changed in this step: the order in which nodes
      // are looked at must not matter).
      s.spare_one = s.n_up - n_down_at(s, static_cast<double>(step)) <= kTimeEpsilon;
      s.in_stamp = step;
    }
    return s;
  }

  LinkState& sending(std::size_t l, std::int64_t step) {
    LinkState& s = links_[l];
    if (s.out_stamp != step) {
      const double idle = static_cast<double>(step - s.out_stamp - 1);
      const double carry = std::min(0.0, s.out_remaining + idle * s.capacity_step);
      s.out_remaining = carry + s.capacity_step;
      s.out_stamp = step;
    }
    return s;
  }

  // Whether link l can take a vehicle in this step: capacity left and storage room (or empty: a link
  // always takes one vehicle, so a truck longer than a short link's storage still passes).
  bool can_enter(std::size_t l, std::int64_t step) {
    LinkState& s = receiving(l, step);
    if (s.in_remaining <= kTimeEpsilon) return false;
    if (s.count >= s.fifo_size) return false;
    return s.spare_one || s.storage_room > kTimeEpsilon;
  }

  void enter(std::size_t l, int vehicle, std::int64_t step, std::size_t report) {
    LinkState& s = links_[l];
    const double pce = c_.vehicles[static_cast<std::size_t>(vehicle)].pce;
    fifo_[s.fifo_begin + static_cast<std::size_t>((s.head + s.count) % s.fifo_size)] = vehicle;
    ++s.count;
    s.n_up += pce;
    s.in_remaining -= pce;
    s.storage_room -= pce;
    s.spare_one = false;
    ready_step_[static_cast<std::size_t>(vehicle)] = step + 1 + s.ff_steps;
    // A vehicle alone on the link is its head: its node has work when it reaches the end.
    if (s.count == 1) wake(static_cast<std::size_t>(c_.links[l].to), step + s.ff_steps);
    ++out_.link_inflow[report * c_.links.size() + l];
  }

  // Moves the head of input `in` if it can go; false when the input is blocked or empty for this step.
  bool move_head(const NodeInput& in, std::size_t node, std::int64_t step, std::size_t report) {
    const double t_end = c_.start_s + static_cast<double>(step + 1) * dt_;
    if (in.link >= 0) {
      const auto l = static_cast<std::size_t>(in.link);
      LinkState& s = links_[l];
      if (s.count == 0) return false;
      const int vehicle = fifo_[s.fifo_begin + static_cast<std::size_t>(s.head)];
      const auto vi = static_cast<std::size_t>(vehicle);
      if (ready_step_[vi] > step + 1) return false;  // not at the link's end yet
      if (sending(l, step).out_remaining <= kTimeEpsilon) return false;
      const DnlVehicle& v = c_.vehicles[vi];
      const int next_pos = position_[vi] + 1;
      const bool arrives = v.route_begin + next_pos >= v.route_end;
      std::size_t next = 0;
      if (!arrives) {
        next = static_cast<std::size_t>(
            c_.route_links[static_cast<std::size_t>(v.route_begin) + static_cast<std::size_t>(next_pos)]);
        if (!can_enter(next, step)) return false;  // FIFO: the vehicles behind wait too
      }
      s.head = (s.head + 1) % s.fifo_size;
      --s.count;
      sync_history(s, step);  // the step's start keeps N_down before this change
      s.n_down += v.pce;
      s.out_remaining -= v.pce;
      if (s.count > 0) {
        const std::int64_t ready =
            ready_step_[static_cast<std::size_t>(fifo_[s.fifo_begin + static_cast<std::size_t>(s.head)])];
        if (ready - 1 > step) wake(node, ready - 1);  // else it may go in this step: the node goes on
      }
      ++out_.link_outflow[report * c_.links.size() + l];
      if (arrives) {
        out_.arrived_s[vi] = t_end;
        ++out_.finished;
        --on_road_;
      } else {
        position_[vi] = next_pos;
        enter(next, vehicle, step, report);
      }
      return true;
    }
    const auto q = static_cast<std::size_t>(in.queue);
    if (queue_head_[q] == queue_tail_[q]) return false;
    const int vehicle = queue_list_[queue_head_[q]];
    const auto first = static_cast<std::size_t>(queue_link_[q]);
    if (!can_enter(first, step)) return false;
    ++queue_head_[q];
    out_.entered_s[static_cast<std::size_t>(vehicle)] = t_end;
    ++on_road_;
    enter(first, vehicle, step, report);
    return true;
  }

  // The node model: inputs take turns by the least PCE served per unit of capacity (capacity-
  // proportional priorities: Tampère, Corthout, Cattrysse & Immers 2011, TR Part B 45; for a merge
  // Daganzo 1995's and Ni & Leonard 2005's capacity-proportional rule), each moving its head vehicle;
  // an input whose head cannot go is blocked for the step (first in, first out: Daganzo 1995, "The
  // cell transmission model, part II: network traffic", TR Part B 29). What an input was served is
  // kept from step to step (served PCE over capacity, less the least of the competing inputs), so the
  // shares hold over time although a step moves whole vehicles. An input with nothing ready keeps
  // what it was served (less the same least, floored at the others' level): it banks no priority
  // while idle, and it does not shed its lead either. Shedding it (resetting an idle input to the
  // others' level) gave a merge whose inputs each deliver one vehicle every other step to the input
  // served first at every tie the whole outflow (bench/sumo/README.md, "Analytic check: a merge").
  void process_node(std::size_t node, std::int64_t step, std::size_t report) {
    const std::size_t begin = node_begin_[node];
    const std::size_t end = node_begin_[node + 1];
    double least = std::numeric_limits<double>::infinity();
    for (std::size_t i = begin; i < end; ++i) {
      const int vehicle = ready_head(node_inputs_[i], step);
      blocked_[i] = static_cast<char>(vehicle < 0);
      if (vehicle >= 0) least = std::min(least, served_[i]);
    }
    if (least == std::numeric_limits<double>::infinity()) return;
    for (std::size_t i = begin; i < end; ++i)
      served_[i] = blocked_[i] != 0 ? std::max(0.0, served_[i] - least) : served_[i] - least;
    for (;;) {
      std::size_t best = end;
      double best_ratio = std::numeric_limits<double>::infinity();
      for (std::size_t i = begin; i < end; ++i) {
        if (blocked_[i] != 0) continue;
        if (served_[i] < best_ratio) {
          best_ratio = served_[i];
          best = i;
        }
      }
      if (best == end) return;
      const NodeInput& in = node_inputs_[best];
      const int vehicle = ready_head(in, step);
      if (vehicle >= 0 && move_head(in, node, step, report)) {
        served_[best] += c_.vehicles[static_cast<std::size_t>(vehicle)].pce / in.weight;
      } else {
        blocked_[best] = 1;
        // A vehicle ready but held (no capacity or room ahead) tries again next step.
        if (vehicle >= 0) wake(node, step + 1);
      }
    }
  }

  void wake(std::size_t node, std::int64_t step) {
    wake_[static_cast<std::size_t>(step % static_cast<std::int64_t>(wake_.size()))].push_back(
        static_cast<int>(node));
  }

  // The vehicle at the head of an input if it may leave in this step (at the link's end, or waiting at
  // the origin), else -1.
  [[nodiscard]] int ready_head(const NodeInput& in, std::int64_t step) const {
    if (in.link >= 0) {
      const int vehicle = head_vehicle(static_cast<std::size_t>(in.link));
      return vehicle >= 0 && ready_step_[static_cast<std::size_t>(vehicle)] <= step + 1 ? vehicle : -1;
    }
    const auto q = static_cast<std::size_t>(in.queue);
    return queue_head_[q] != queue_tail_[q] ? queue_list_[queue_head_[q]] : -1;
  }

  [[nodiscard]] int head_vehicle(std::size_t l) const {
    const LinkState& s = links_[l];
    return s.count == 0 ? -1 : fifo_[s.fifo_begin + static_cast<std::size_t>(s.head)];
  }

  void record(std::size_t report, std::int64_t time_index) {
    const std::size_t n_links = c_.links.size();
    for (std::size_t l = 0; l < n_links; ++l) {
      const LinkState& s = links_[l];
      const std::size_t cell = report * n_links + l;
      out_.link_vehicles[cell] = s.count;
      std::int32_t queue = 0;
      double queue_pce = 0.0;
      for (std::int32_t i = 0; i < s.count; ++i) {
        const int vehicle = fifo_[s.fifo_begin + static_cast<std::size_t>((s.head + i) % s.fifo_size)];
        if (ready_step_[static_cast<std::size_t>(vehicle)] > time_index) break;
        ++queue;
        queue_pce += c_.vehicles[static_cast<std::size_t>(vehicle)].pce;
      }
      out_.link_queue[cell] = queue;
      out_.link_queue_pce[cell] = static_cast<float>(queue_pce);
    }
    const std::size_t n_zones = c_.zones.size();
    for (std::size_t q = 0; q < queue_zone_.size(); ++q) {
      out_.zone_queue[report * n_zones + static_cast<std::size_t>(queue_zone_[q])] +=
          static_cast<std::int32_t>(queue_tail_[q] - queue_head_[q]);
    }
  }

  void loop() {
    const std::size_t n_vehicles = c_.vehicles.size();
    const std::size_t n_zones = c_.zones.size();
    std::size_t next_departure = 0;
    for (std::int64_t step = 0; step < steps_; ++step) {
      const auto report = static_cast<std::size_t>(step / report_steps_);
      const double t_end = c_.start_s + static_cast<double>(step + 1) * dt_;
      // Departures up to the step's end join their origin queue; they enter at the step's end at the
      // earliest.
      while (next_departure < n_vehicles && c_.vehicles[next_departure].depart_s <= t_end + kTimeEpsilon) {
        const auto q = static_cast<std::size_t>(vehicle_queue_[next_departure]);
        ++queue_tail_[q];
        wake(static_cast<std::size_t>(c_.links[static_cast<std::size_t>(queue_link_[q])].from), step);
        ++out_.zone_departures[report * n_zones +
                               static_cast<std::size_t>(c_.vehicles[next_departure].origin)];
        ++next_departure;
      }
      // The nodes with work in this step (event-driven: a node is looked at when a vehicle reaches one
      // of its links' ends or waits at it, not every step).
      std::vector<int>& due = wake_[static_cast<std::size_t>(step % static_cast<std::int64_t>(wake_.size()))];
      for (std::size_t i = 0; i < due.size(); ++i) {
        const auto n = static_cast<std::size_t>(due[i]);
        if (last_processed_[n] == step) continue;
        last_processed_[n] = step;
        process_node(n, step, report);
      }
      due.clear();
      out_.vehicle_steps += on_road_;
      if ((step + 1) % report_steps_ == 0 || step + 1 == steps_) record(report, step + 1);
    }
    out_.steps = steps_;
  }

  const DnlCase& c_;
  DnlResult out_;
  double dt_ = 1.0;
  std::int64_t steps_ = 0;
  std::int64_t report_steps_ = 1;
  std::int64_t on_road_ = 0;
  std::vector<LinkState> links_;
  std::vector<int> fifo_;
  std::vector<double> history_;
  std::vector<int> vehicle_queue_;
  std::vector<int> queue_zone_;
  std::vector<int> queue_link_;
  std::vector<std::size_t> queue_begin_;
  std::vector<int> queue_list_;
  std::vector<std::size_t> queue_head_;
  std::vector<std::size_t> queue_tail_;
  std::vector<std::size_t> node_begin_;
  std::vector<NodeInput> node_inputs_;
  // Nodes to look at by step, in a ring of max free-flow steps + 2 (every wake-up is at most that far
  // ahead), and the step each node was last looked at (a node woken twice for a step runs once).
  std::vector<std::vector<int>> wake_;
  std::vector<std::int64_t> last_processed_;
  std::vector<double> served_;
  std::vector<char> blocked_;
  std::vector<int> position_;
  std::vector<std::int64_t> ready_step_;
};

}  // namespace

DnlResult simulate_dnl(const DnlCase& dnl) { return Simulation(dnl).run(); }

}  // namespace sandan

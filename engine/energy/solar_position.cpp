// Solar Position Algorithm, written from Reda & Andreas (2004), "Solar Position Algorithm for Solar
// Radiation Applications", NREL/TP-560-34302, revised January 2008. Equation numbers below are the
// paper's. The periodic terms are the paper's tables A4.2 (Earth heliocentric terms, from
// Bretagnon & Francou's VSOP87 as abridged by Meeus) and A4.3 (nutation, from Meeus).
#include "energy/solar_position.hpp"

#include <array>
#include <cmath>
#include <cstddef>
#include <limits>
#include <numbers>
#include <vector>

namespace sandan {
namespace {

constexpr double kDegPerRad = 180.0 / std::numbers::pi;
constexpr double kRadPerDeg = std::numbers::pi / 180.0;
constexpr double kNan = std::numeric_limits<double>::quiet_NaN();
constexpr double kSunRadiusDeg = 0.26667;  // apparent radius of the sun's disc

double sin_deg(double deg) { return std::sin(deg * kRadPerDeg); }
double cos_deg(double deg) { return std::cos(deg * kRadPerDeg); }
double tan_deg(double deg) { return std::tan(deg * kRadPerDeg); }

// Into [0, 360).
double limit_degrees(double deg) {
  double limited = std::fmod(deg, 360.0);
  if (limited < 0.0) limited += 360.0;
  return limited;
}

// Into [−180, 180].
double limit_degrees_180(double deg) {
  double limited = limit_degrees(deg);
  if (limited > 180.0) limited -= 360.0;
  return limited;
}

// Into [0, 1).
double limit_fraction(double value) { return value - std::floor(value); }

// One periodic term A·cos(B + C·JME) of table A4.2 (A in 1e-8 rad or AU, B in rad, C in rad per
// Julian millennium).
struct PeriodicTerm {
  double a;
  double b;
  double c;
};

constexpr std::array<PeriodicTerm, 64> kL0{{
    {175347046.0, 0.0, 0.0},       {3341656.0, 4.6692568, 6283.07585},
    {34894.0, 4.6261, 12566.1517}, {3497.0, 2.7441, 5753.3849},
    {3418.0, 2.8289, 3.5231},      {3136.0, 3.6277, 77713.7715},
    {2676.0, 4.4181, 7860.4194},   {2343.0, 6.1352, 3930.2097},
    {1324.0, 0.7425, 11506.7698},  {1273.0, 2.0371, 529.691},
    {1199.0, 1.1096, 1577.3435},   {990.0, 5.233, 5884.927},
    {902.0, 2.045, 26.298},        {857.0, 3.508, 398.149},
    {780.0, 1.179, 5223.694},      {753.0, 2.533, 5507.553},
    {505.0, 4.583, 18849.228},     {492.0, 4.205, 775.523},
    {357.0, 2.92, 0.067},          {317.0, 5.849, 11790.629},
    {284.0, 1.899, 796.298},       {271.0, 0.315, 10977.079},
    {243.0, 0.345, 5486.778},      {206.0, 4.806, 2544.314},
    {205.0, 1.869, 5573.143},      {202.0, 2.458, 6069.777},
    {156.0, 0.833, 213.299},       {132.0, 3.411, 2942.463},
    {126.0, 1.083, 20.775},        {115.0, 0.645, 0.98},
    {103.0, 0.636, 4694.003},      {102.0, 0.976, 15720.839},
    {102.0, 4.267, 7.114},         {99.0, 6.21, 2146.17},
    {98.0, 0.68, 155.42},          {86.0, 5.98, 161000.69},
    {85.0, 1.3, 6275.96},          {85.0, 3.67, 71430.7},
    {80.0, 1.81, 17260.15},        {79.0, 3.04, 12036.46},
    {75.0, 1.76, 5088.63},         {74.0, 3.5, 3154.69},
    {74.0, 4.68, 801.82},          {70.0, 0.83, 9437.76},
    {62.0, 3.98, 8827.39},         {61.0, 1.82, 7084.9},
    {57.0, 2.78, 6286.6},          {56.0, 4.39, 14143.5},
    {56.0, 3.47, 6279.55},         {52.0, 0.19, 12139.55},
    {52.0, 1.33, 1748.02},         {51.0, 0.28, 5856.48},
    {49.0, 0.49, 1194.45},         {41.0, 5.37, 8429.24},
    {41.0, 2.4, 19651.05},         {39.0, 6.17, 10447.39},
    {37.0, 6.04, 10213.29},        {37.0, 2.57, 1059.38},
    {36.0, 1.71, 2352.87},         {36.0, 1.78, 6812.77},
    {33.0, 0.59, 17789.85},        {30.0, 0.44, 83996.85},
    {30.0, 2.74, 1349.87},         {25.0, 3.16, 4690.48},
}};

constexpr std::array<PeriodicTerm, 34> kL1{{
    {628331966747.0, 0.0, 0.0},   {206059.0, 2.678235, 6283.07585},
    {4303.0, 2.6351, 12566.1517}, {425.0, 1.59, 3.523},
    {119.0, 5.796, 26.298},       {109.0, 2.966, 1577.344},
    {93.0, 2.59, 18849.23},       {72.0, 1.14, 529.69},
    {68.0, 1.87, 398.15},         {67.0, 4.41, 5507.55},
    {59.0, 2.89, 5223.69},        {56.0, 2.17, 155.42},
    {45.0, 0.4, 796.3},           {36.0, 0.47, 775.52},
    {29.0, 2.65, 7.11},           {21.0, 5.34, 0.98},
    {19.0, 1.85, 5486.78},        {19.0, 4.97, 213.3},
    {17.0, 2.99, 6275.96},        {16.0, 0.03, 2544.31},
    {16.0, 1.43, 2146.17},        {15.0, 1.21, 10977.08},
    {12.0, 2.83, 1748.02},        {12.0, 3.26, 5088.63},
    {12.0, 5.27, 1194.45},        {12.0, 2.08, 4694.0},
    {11.0, 0.77, 553.57},         {10.0, 1.3, 6286.6},
    {10.0, 4.24, 1349.87},        {9.0, 2.7, 242.73},
    {9.0, 5.64, 951.72},          {8.0, 5.3, 2352.87},
    {6.0, 2.65, 9437.76},         {6.0, 4.67, 4690.48},
}};

constexpr std::array<PeriodicTerm, 20> kL2{{
    {52919.0, 0.0, 0.0}, {8720.0, 1.0721, 6283.0758}, {309.0, 0.867, 12566.152}, {27.0, 0.05, 3.52},
    {16.0, 5.19, 26.3},  {16.0, 3.68, 155.42},        {10.0, 0.76, 18849.23},    {9.0, 2.06, 77713.77},
    {7.0, 0.83, 775.52}, {5.0, 4.66, 1577.34},        {4.0, 1.03, 7.11},         {4.0, 3.44, 5573.14},
    {3.0, 5.14, 796.3},  {3.0, 6.05, 5507.55},        {3.0, 1.19, 242.73},       {3.0, 6.12, 529.69},
    {3.0, 0.31, 398.15}, {3.0, 2.28, 553.57},         {2.0, 4.38, 5223.69},      {2.0, 3.75, 0.98},
}};

constexpr std::array<PeriodicTerm, 7> kL3{{
    {289.0, 5.844, 6283.076},
    {35.0, 0.0, 0.0},
    {17.0, 5.49, 12566.15},
    {3.0, 5.2, 155.42},
    {1.0, 4.72, 3.52},
    {1.0, 5.3, 18849.23},
    {1.0, 5.97, 242.73},
}};

constexpr std::array<PeriodicTerm, 3> kL4{{{114.0, 3.142, 0.0}, {8.0, 4.13, 6283.08}, {1.0, 3.84, 12566.15}}};

constexpr std::array<PeriodicTerm, 1> kL5{{{1.0, 3.14, 0.0}}};

constexpr std::array<PeriodicTerm, 5> kB0{{
    {280.0, 3.199, 84334.662},
    {102.0, 5.422, 5507.553},
    {80.0, 3.88, 5223.69},
    {44.0, 3.7, 2352.87},
    {32.0, 4.0, 1577.34},
}};

constexpr std::array<PeriodicTerm, 2> kB1{{{9.0, 3.9, 5507.55}, {6.0, 1.73, 5223.69}}};

constexpr std::array<PeriodicTerm, 40> kR0{{
    {100013989.0, 0.0, 0.0},        {1670700.0, 3.0984635, 6283.07585},
    {13956.0, 3.05525, 12566.1517}, {3084.0, 5.1985, 77713.7715},
    {1628.0, 1.1739, 5753.3849},    {1576.0, 2.8469, 7860.4194},
    {925.0, 5.453, 11506.77},       {542.0, 4.564, 3930.21},
    {472.0, 3.661, 5884.927},       {346.0, 0.964, 5507.553},
    {329.0, 5.9, 5223.694},         {307.0, 0.299, 5573.143},
    {243.0, 4.273, 11790.629},      {212.0, 5.847, 1577.344},
    {186.0, 5.022, 10977.079},      {175.0, 3.012, 18849.228},
    {110.0, 5.055, 5486.778},       {98.0, 0.89, 6069.78},
    {86.0, 5.69, 15720.84},         {86.0, 1.27, 161000.69},
    {65.0, 0.27, 17260.15},         {63.0, 0.92, 529.69},
    {57.0, 2.01, 83996.85},         {56.0, 5.24, 71430.7},
    {49.0, 3.25, 2544.31},          {47.0, 2.58, 775.52},
    {45.0, 5.54, 9437.76},          {43.0, 6.01, 6275.96},
    {39.0, 5.36, 4694.0},           {38.0, 2.39, 8827.39},
    {37.0, 0.83, 19651.05},         {37.0, 4.9, 12139.55},
    {36.0, 1.67, 12036.46},         {35.0, 1.84, 2942.46},
    {33.0, 0.24, 7084.9},           {32.0, 0.18, 5088.63},
    {32.0, 1.78, 398.15},           {28.0, 1.21, 6286.6},
    {28.0, 1.9, 6279.55},           {26.0, 4.59, 10447.39},
}};

constexpr std::array<PeriodicTerm, 10> kR1{{
    {103019.0, 1.10749, 6283.07585},
    {1721.0, 1.0644, 12566.1517},
    {702.0, 3.142, 0.0},
    {32.0, 1.02, 18849.23},
    {31.0, 2.84, 5507.55},
    {25.0, 1.32, 5223.69},
    {18.0, 1.42, 1577.34},
    {10.0, 5.91, 10977.08},
    {9.0, 1.42, 6275.96},
    {9.0, 0.27, 5486.78},
}};

constexpr std::array<PeriodicTerm, 6> kR2{{
    {4359.0, 5.7846, 6283.0758},
    {124.0, 5.579, 12566.152},
    {12.0, 3.14, 0.0},
    {9.0, 3.63, 77713.77},
    {6.0, 1.87, 5573.14},
    {3.0, 5.47, 18849.23},
}};

constexpr std::array<PeriodicTerm, 2> kR3{{{145.0, 4.273, 6283.076}, {7.0, 3.92, 12566.15}}};

constexpr std::array<PeriodicTerm, 1> kR4{{{4.0, 2.56, 6283.08}}};

// One row of table A4.3: multiples of X0..X4 in the argument, and the coefficients a, b (for Δψ, in
// 0.0001″) and c, d (for Δε).
struct NutationTerm {
  std::array<signed char, 5> y;
  double a;
  double b;
  double c;
  double d;
};

constexpr std::array<NutationTerm, 63> kNutation{{
    {{0, 0, 0, 0, 1}, -171996, -174.2, 92025, 8.9},
    {{-2, 0, 0, 2, 2}, -13187, -1.6, 5736, -3.1},
    {{0, 0, 0, 2, 2}, -2274, -0.2, 977, -0.5},
    {{0, 0, 0, 0, 2}, 2062, 0.2, -895, 0.5},
    {{0, 1, 0, 0, 0}, 1426, -3.4, 54, -0.1},
    {{0, 0, 1, 0, 0}, 712, 0.1, -7, 0},
    {{-2, 1, 0, 2, 2}, -517, 1.2, 224, -0.6},
    {{0, 0, 0, 2, 1}, -386, -0.4, 200, 0},
    {{0, 0, 1, 2, 2}, -301, 0, 129, -0.1},
    {{-2, -1, 0, 2, 2}, 217, -0.5, -95, 0.3},
    {{-2, 0, 1, 0, 0}, -158, 0, 0, 0},
    {{-2, 0, 0, 2, 1}, 129, 0.1, -70, 0},
    {{0, 0, -1, 2, 2}, 123, 0, -53, 0},
    {{2, 0, 0, 0, 0}, 63, 0, 0, 0},
    {{0, 0, 1, 0, 1}, 63, 0.1, -33, 0},
    {{2, 0, -1, 2, 2}, -59, 0, 26, 0},
    {{0, 0, -1, 0, 1}, -58, -0.1, 32, 0},
    {{0, 0, 1, 2, 1}, -51, 0, 27, 0},
    {{-2, 0, 2, 0, 0}, 48, 0, 0, 0},
    {{0, 0, -2, 2, 1}, 46, 0, -24, 0},
    {{2, 0, 0, 2, 2}, -38, 0, 16, 0},
    {{0, 0, 2, 2, 2}, -31, 0, 13, 0},
    {{0, 0, 2, 0, 0}, 29, 0, 0, 0},
    {{-2, 0, 1, 2, 2}, 29, 0, -12, 0},
    {{0, 0, 0, 2, 0}, 26, 0, 0, 0},
    {{-2, 0, 0, 2, 0}, -22, 0, 0, 0},
    {{0, 0, -1, 2, 1}, 21, 0, -10, 0},
    {{0, 2, 0, 0, 0}, 17, -0.1, 0, 0},
    {{2, 0, -1, 0, 1}, 16, 0, -8, 0},
    {{-2, 2, 0, 2, 2}, -16, 0.1, 7, 0},
    {{0, 1, 0, 0, 1}, -15, 0, 9, 0},
    {{-2, 0, 1, 0, 1}, -13, 0, 7, 0},
    {{0, -1, 0, 0, 1}, -12, 0, 6, 0},
    {{0, 0, 2, -2, 0}, 11, 0, 0, 0},
    {{2, 0, -1, 2, 1}, -10, 0, 5, 0},
    {{2, 0, 1, 2, 2}, -8, 0, 3, 0},
    {{0, 1, 0, 2, 2}, 7, 0, -3, 0},
    {{-2, 1, 1, 0, 0}, -7, 0, 0, 0},
    {{0, -1, 0, 2, 2}, -7, 0, 3, 0},
    {{2, 0, 0, 2, 1}, -7, 0, 3, 0},
    {{2, 0, 1, 0, 0}, 6, 0, 0, 0},
    {{-2, 0, 2, 2, 2}, 6, 0, -3, 0},
    {{-2, 0, 1, 2, 1}, 6, 0, -3, 0},
    {{2, 0, -2, 0, 1}, -6, 0, 3, 0},
    {{2, 0, 0, 0, 1}, -6, 0, 3, 0},
    {{0, -1, 1, 0, 0}, 5, 0, 0, 0},
    {{-2, -1, 0, 2, 1}, -5, 0, 3, 0},
    {{-2, 0, 0, 0, 1}, -5, 0, 3, 0},
    {{0, 0, 2, 2, 1}, -5, 0, 3, 0},
    {{-2, 0, 2, 0, 1}, 4, 0, 0, 0},
    {{-2, 1, 0, 2, 1}, 4, 0, 0, 0},
    {{0, 0, 1, -2, 0}, 4, 0, 0, 0},
    {{-1, 0, 1, 0, 0}, -4, 0, 0, 0},
    {{-2, 1, 0, 0, 0}, -4, 0, 0, 0},
    {{1, 0, 0, 0, 0}, -4, 0, 0, 0},
    {{0, 0, 1, 2, 0}, 3, 0, 0, 0},
    {{0, 0, -2, 2, 2}, -3, 0, 0, 0},
    {{-1, -1, 1, 0, 0}, -3, 0, 0, 0},
    {{0, 1, 1, 0, 0}, -3, 0, 0, 0},
    {{0, -1, 1, 2, 2}, -3, 0, 0, 0},
    {{2, -1, -1, 2, 2}, -3, 0, 0, 0},
    {{0, 0, 3, 2, 2}, -3, 0, 0, 0},
    {{2, -1, 0, 2, 2}, -3, 0, 0, 0},
}};

template <std::size_t N>
double sum_terms(const std::array<PeriodicTerm, N>& terms, double jme) {
  double sum = 0.0;
  for (const PeriodicTerm& term : terms) sum += term.a * std::cos(term.b + term.c * jme);
  return sum;
}

// Earth heliocentric longitude L, eqs. 9–12, in degrees [0, 360).
double heliocentric_longitude_deg(double jme) {
  const double l0 = sum_terms(kL0, jme);
  const double l1 = sum_terms(kL1, jme);
  const double l2 = sum_terms(kL2, jme);
  const double l3 = sum_terms(kL3, jme);
  const double l4 = sum_terms(kL4, jme);
  const double l5 = sum_terms(kL5, jme);
  const double l_rad = (l0 + jme * (l1 + jme * (l2 + jme * (l3 + jme * (l4 + jme * l5))))) / 1e8;
  return limit_degrees(l_rad * kDegPerRad);
}

// Earth heliocentric latitude B, as eqs. 9–12 with table A4.2's B terms, in degrees.
double heliocentric_latitude_deg(double jme) {
  const double b_rad = (sum_terms(kB0, jme) + jme * sum_terms(kB1, jme)) / 1e8;
  return b_rad * kDegPerRad;
}

// Earth radius vector R, as eqs. 9–11 with table A4.2's R terms, in AU.
double earth_radius_vector_au(double jme) {
  const double r0 = sum_terms(kR0, jme);
  const double r1 = sum_terms(kR1, jme);
  const double r2 = sum_terms(kR2, jme);
  const double r3 = sum_terms(kR3, jme);
  const double r4 = sum_terms(kR4, jme);
  return (r0 + jme * (r1 + jme * (r2 + jme * (r3 + jme * r4)))) / 1e8;
}

struct Nutation {
  double longitude_deg;  // Δψ
  double obliquity_deg;  // Δε
};

// Nutation in longitude and obliquity, eqs. 15–23.
Nutation nutation(double jce) {
  const double jce2 = jce * jce;
  const double jce3 = jce2 * jce;
  const std::array<double, 5> x{
      297.85036 + 445267.111480 * jce - 0.0019142 * jce2 + jce3 / 189474.0,  // eq. 15
      357.52772 + 35999.050340 * jce - 0.0001603 * jce2 - jce3 / 300000.0,   // eq. 16
      134.96298 + 477198.867398 * jce + 0.0086972 * jce2 + jce3 / 56250.0,   // eq. 17
      93.27191 + 483202.017538 * jce - 0.0036825 * jce2 + jce3 / 327270.0,   // eq. 18
      125.04452 - 1934.136261 * jce + 0.0020708 * jce2 + jce3 / 450000.0,    // eq. 19
  };
  double sum_psi = 0.0;
  double sum_epsilon = 0.0;
  for (const NutationTerm& term : kNutation) {
    double argument_deg = 0.0;
    for (std::size_t j = 0; j < x.size(); ++j) argument_deg += x[j] * term.y[j];
    const double argument_rad = argument_deg * kRadPerDeg;
    sum_psi += (term.a + term.b * jce) * std::sin(argument_rad);      // eq. 20
    sum_epsilon += (term.c + term.d * jce) * std::cos(argument_rad);  // eq. 21
  }
  return {sum_psi / 36000000.0, sum_epsilon / 36000000.0};  // eqs. 22, 23
}

// Mean obliquity of the ecliptic ε0 in arc seconds, eq. 24 (Laskar's polynomial, U = JME/10).
double mean_obliquity_arcsec(double jme) {
  const double u = jme / 10.0;
  constexpr std::array<double, 11> kCoefficients{84381.448, -4680.93, -1.55, 1999.25, -51.38, -249.67,
                                                 -39.05,    7.12,     27.87, 5.79,    2.45};
  double value = 0.0;
  for (std::size_t i = kCoefficients.size(); i-- > 0;) value = value * u + kCoefficients[i];
  return value;
}

// Topocentric quantities shared by observe_sun and the rise/set search.
struct ObserverTerms {
  double sin_lat;
  double cos_lat;
  double x;  // eq. 35
  double y;  // eq. 36
};

ObserverTerms observer_terms(const Observer& observer) {
  const double lat_rad = observer.lat_deg * kRadPerDeg;
  const double u = std::atan(0.99664719 * std::tan(lat_rad));                                        // eq. 34
  const double x = std::cos(u) + observer.elevation_m / 6378140.0 * std::cos(lat_rad);               // eq. 35
  const double y = 0.99664719 * std::sin(u) + observer.elevation_m / 6378140.0 * std::sin(lat_rad);  // eq. 36
  return {std::sin(lat_rad), std::cos(lat_rad), x, y};
}

}  // namespace

double julian_day(const CivilTime& time) {
  int year = time.year;
  int month = time.month;
  if (month < 3) {
    year -= 1;
    month += 12;
  }
  const double day =
      time.day + (time.hour + time.minute / 60.0 + time.second / 3600.0 - time.utc_offset_h) / 24.0;
  // INT() of the paper truncates toward zero; the arguments are positive for years after −4716.
  double jd = std::trunc(365.25 * (year + 4716)) + std::trunc(30.6001 * (month + 1)) + day - 1524.5;  // eq. 4
  if (jd > 2299160.0) {
    const double a = std::trunc(year / 100.0);
    jd += 2.0 - a + std::trunc(a / 4.0);  // Gregorian correction B
  }
  return jd;
}

SunEphemeris sun_ephemeris(double julian_day_ut, double delta_t_s) {
  SunEphemeris sun;
  sun.julian_day = julian_day_ut;
  sun.julian_ephemeris_day = julian_day_ut + delta_t_s / 86400.0;       // eq. 5
  const double jc = (julian_day_ut - 2451545.0) / 36525.0;              // eq. 6
  const double jce = (sun.julian_ephemeris_day - 2451545.0) / 36525.0;  // eq. 7
  const double jme = jce / 10.0;                                        // eq. 8

  sun.heliocentric_longitude_deg = heliocentric_longitude_deg(jme);
  sun.heliocentric_latitude_deg = heliocentric_latitude_deg(jme);
  sun.earth_sun_distance_au = earth_radius_vector_au(jme);

  const double geocentric_longitude_deg = limit_degrees(sun.heliocentric_longitude_deg + 180.0);  // eq. 13
  const double geocentric_latitude_deg = -sun.heliocentric_latitude_deg;                          // eq. 14

  const Nutation nut = nutation(jce);
  sun.nutation_longitude_deg = nut.longitude_deg;
  sun.nutation_obliquity_deg = nut.obliquity_deg;
  sun.true_obliquity_deg = mean_obliquity_arcsec(jme) / 3600.0 + nut.obliquity_deg;  // eq. 25

  const double aberration_deg = -20.4898 / (3600.0 * sun.earth_sun_distance_au);               // eq. 26
  sun.apparent_longitude_deg = geocentric_longitude_deg + nut.longitude_deg + aberration_deg;  // eq. 27

  const double mean_sidereal_deg =
      limit_degrees(280.46061837 + 360.98564736629 * (julian_day_ut - 2451545.0) + 0.000387933 * jc * jc -
                    jc * jc * jc / 38710000.0);  // eq. 28
  const double cos_epsilon = cos_deg(sun.true_obliquity_deg);
  const double sin_epsilon = sin_deg(sun.true_obliquity_deg);
  sun.sidereal_time_deg = limit_degrees(mean_sidereal_deg + nut.longitude_deg * cos_epsilon);  // eq. 29

  const double lambda_rad = sun.apparent_longitude_deg * kRadPerDeg;
  const double beta_rad = geocentric_latitude_deg * kRadPerDeg;
  sun.right_ascension_deg =
      limit_degrees(std::atan2(std::sin(lambda_rad) * cos_epsilon - std::tan(beta_rad) * sin_epsilon,
                               std::cos(lambda_rad)) *
                    kDegPerRad);  // eq. 30
  sun.declination_deg =
      std::asin(std::sin(beta_rad) * cos_epsilon + std::cos(beta_rad) * sin_epsilon * std::sin(lambda_rad)) *
      kDegPerRad;  // eq. 31

  // Equation of time, eqs. A1 and A2: the sun's mean longitude M against its right ascension.
  const double mean_longitude_deg = limit_degrees(
      280.4664567 +
      jme * (360007.6982779 +
             jme * (0.03032028 + jme * (1.0 / 49931.0 + jme * (-1.0 / 15300.0 + jme * (-1.0 / 2000000.0))))));
  double eot_min = 4.0 * limit_degrees(mean_longitude_deg - 0.0057183 - sun.right_ascension_deg +
                                       nut.longitude_deg * cos_epsilon);
  if (eot_min > 20.0) eot_min -= 1440.0;
  if (eot_min < -20.0) eot_min += 1440.0;
  sun.equation_of_time_min = eot_min;
  return sun;
}

namespace {

SolarPosition observe(const SunEphemeris& sun, const Observer& observer, const ObserverTerms& terms,
                      const Surface& surface) {
  SolarPosition position;
  position.julian_day = sun.julian_day;
  position.declination_deg = sun.declination_deg;
  position.right_ascension_deg = sun.right_ascension_deg;
  position.equation_of_time_min = sun.equation_of_time_min;
  position.earth_sun_distance_au = sun.earth_sun_distance_au;

  const double hour_angle_deg =
      limit_degrees(sun.sidereal_time_deg + observer.lon_deg - sun.right_ascension_deg);  // eq. 32
  const double xi_rad = 8.794 / (3600.0 * sun.earth_sun_distance_au) * kRadPerDeg;        // eq. 33
  const double sin_xi = std::sin(xi_rad);
  const double h_rad = hour_angle_deg * kRadPerDeg;
  const double delta_rad = sun.declination_deg * kRadPerDeg;
  const double cos_delta = std::cos(delta_rad);
  const double denominator = cos_delta - terms.x * sin_xi * std::cos(h_rad);
  const double delta_alpha_rad = std::atan2(-terms.x * sin_xi * std::sin(h_rad), denominator);  // eq. 37
  const double cos_delta_alpha = std::cos(delta_alpha_rad);
  const double delta_prime_rad =
      std::atan2((std::sin(delta_rad) - terms.y * sin_xi) * cos_delta_alpha, denominator);  // eq. 39
  position.topocentric_declination_deg = delta_prime_rad * kDegPerRad;

  const double h_prime_deg = hour_angle_deg - delta_alpha_rad * kDegPerRad;  // eq. 40
  position.hour_angle_deg = limit_degrees(h_prime_deg);
  const double h_prime_rad = h_prime_deg * kRadPerDeg;
  const double cos_h_prime = std::cos(h_prime_rad);
  const double sin_delta_prime = std::sin(delta_prime_rad);
  const double cos_delta_prime = std::cos(delta_prime_rad);

  const double e0_deg =
      std::asin(terms.sin_lat * sin_delta_prime + terms.cos_lat * cos_delta_prime * cos_h_prime) *
      kDegPerRad;  // eq. 41
  // Refraction, eq. 42, only while some of the sun's disc is above the refracted horizon (the 2008
  // revision of the paper); below it the geometric elevation stands.
  double refraction_deg = 0.0;
  if (e0_deg >= -(kSunRadiusDeg + observer.atmos_refraction_deg)) {
    refraction_deg = observer.pressure_mbar / 1010.0 * 283.0 / (273.0 + observer.temperature_c) * 1.02 /
                     (60.0 * tan_deg(e0_deg + 10.3 / (e0_deg + 5.11)));
  }
  const double e_deg = e0_deg + refraction_deg;  // eq. 43
  position.geometric_zenith_deg = 90.0 - e0_deg;
  position.zenith_deg = 90.0 - e_deg;  // eq. 44

  // Astronomers' azimuth Γ (westward from south), eq. 45, turned to navigators' Φ, eq. 46.
  const double gamma_deg = std::atan2(std::sin(h_prime_rad), cos_h_prime * terms.sin_lat -
                                                                 std::tan(delta_prime_rad) * terms.cos_lat) *
                           kDegPerRad;
  position.azimuth_deg = limit_degrees(gamma_deg + 180.0);

  // Incidence, eq. 47, with Γ − γ written as Φ − surface azimuth (both shifted by 180°).
  const double zenith_rad = position.zenith_deg * kRadPerDeg;
  const double tilt_rad = surface.tilt_deg * kRadPerDeg;
  double cos_incidence =
      std::cos(zenith_rad) * std::cos(tilt_rad) +
      std::sin(tilt_rad) * std::sin(zenith_rad) * cos_deg(position.azimuth_deg - surface.azimuth_deg);
  // Clipped against rounding; comparisons keep a NaN.
  if (cos_incidence > 1.0) cos_incidence = 1.0;
  if (cos_incidence < -1.0) cos_incidence = -1.0;
  position.incidence_deg = std::acos(cos_incidence) * kDegPerRad;
  return position;
}

}  // namespace

SolarPosition observe_sun(const SunEphemeris& sun, const Observer& observer, const Surface& surface) {
  return observe(sun, observer, observer_terms(observer), surface);
}

SolarPosition solar_position(double julian_day_ut, double delta_t_s, const Observer& observer,
                             const Surface& surface) {
  return observe_sun(sun_ephemeris(julian_day_ut, delta_t_s), observer, surface);
}

SolarPosition solar_position(const CivilTime& time, double delta_t_s, const Observer& observer,
                             const Surface& surface) {
  return solar_position(julian_day(time), delta_t_s, observer, surface);
}

void solar_positions(std::span<const double> julian_days_ut, double delta_t_s,
                     std::span<const Observer> observers, std::span<SolarPosition> out) {
  const std::size_t times = julian_days_ut.size();
  if (out.size() < times * observers.size()) return;
  std::vector<ObserverTerms> terms;
  terms.reserve(observers.size());
  for (const Observer& observer : observers) terms.push_back(observer_terms(observer));
  const Surface horizontal{};
  for (std::size_t t = 0; t < times; ++t) {
    const SunEphemeris sun = sun_ephemeris(julian_days_ut[t], delta_t_s);
    for (std::size_t site = 0; site < observers.size(); ++site) {
      out[site * times + t] = observe(sun, observers[site], terms[site], horizontal);
    }
  }
}

SunTimes sun_times(int year, int month, int day, double utc_offset_h, double delta_t_s,
                   const Observer& observer, EventDay event_day) {
  SunTimes times;
  // A.2 seeks each event in the day [window_start, window_start + 1), counted in days from 0 UT of
  // a base date: the date itself and [0, 1) in the paper. For the civil day the window starts at
  // local midnight, and the base is the UT date nearest to it so that the interpolation of eqs. A10
  // and A11 stays within about a day of its three tabulated days.
  double base_offset_days = 0.0;
  double window_start = 0.0;
  if (event_day == EventDay::kCivil) {
    const double local_midnight_days = -utc_offset_h / 24.0;
    base_offset_days = std::round(local_midnight_days);
    window_start = local_midnight_days - base_offset_days;
  }
  const auto limit_to_window = [window_start](double m) {
    return window_start + limit_fraction(m - window_start);
  };

  // Step 1: sidereal time at 0 UT of the base date; step 2: α and δ at 0 TT of the day before, the
  // day and the day after, both with ΔT = 0.
  const double jd0 = julian_day(CivilTime{year, month, day, 0, 0, 0.0, 0.0}) + base_offset_days;
  const SunEphemeris before = sun_ephemeris(jd0 - 1.0, 0.0);
  const SunEphemeris today = sun_ephemeris(jd0, 0.0);
  const SunEphemeris after = sun_ephemeris(jd0 + 1.0, 0.0);
  const double nu_deg = today.sidereal_time_deg;
  const double sigma_deg = observer.lon_deg;
  const double lat_rad = observer.lat_deg * kRadPerDeg;
  const double h0_prime_deg = -(kSunRadiusDeg + observer.atmos_refraction_deg);

  const double m0 = (today.right_ascension_deg - sigma_deg - nu_deg) / 360.0;  // eq. A3
  const double cos_h0 = (sin_deg(h0_prime_deg) - std::sin(lat_rad) * sin_deg(today.declination_deg)) /
                        (std::cos(lat_rad) * cos_deg(today.declination_deg));  // eq. A4
  const bool polar = std::fabs(cos_h0) > 1.0;
  if (polar) times.kind = cos_h0 < -1.0 ? DayKind::kPolarDay : DayKind::kPolarNight;
  const double h0_deg = polar ? 0.0 : std::acos(cos_h0) * kDegPerRad;  // eq. A5, in [0, 180]

  // eqs. A6, A7, each limited to the window.
  const std::array<double, 3> m{limit_to_window(m0), limit_to_window(m0 - h0_deg / 360.0),
                                limit_to_window(m0 + h0_deg / 360.0)};

  // Day-to-day differences for the interpolation of eqs. A10 and A11. The paper folds a jump of
  // more than 2° into [0, 1); folding into (−180, 180] is the same wherever that rule applies (α
  // wraps at the March equinox, when it moves by 0.9° a day) and also right when α moves by more.
  const double a_alpha = limit_degrees_180(today.right_ascension_deg - before.right_ascension_deg);
  const double b_alpha = limit_degrees_180(after.right_ascension_deg - today.right_ascension_deg);
  const double a_delta = today.declination_deg - before.declination_deg;
  const double b_delta = after.declination_deg - today.declination_deg;

  std::array<double, 3> h_prime_deg{};
  std::array<double, 3> delta_prime_deg{};
  std::array<double, 3> elevation_deg{};
  for (std::size_t i = 0; i < 3; ++i) {
    const double nu_i = nu_deg + 360.985647 * m[i];  // eq. A8
    const double n = m[i] + delta_t_s / 86400.0;     // eq. A9
    const double alpha_i =
        today.right_ascension_deg + n * (a_alpha + b_alpha + (b_alpha - a_alpha) * n) / 2.0;  // A10
    delta_prime_deg[i] =
        today.declination_deg + n * (a_delta + b_delta + (b_delta - a_delta) * n) / 2.0;  // A11
    h_prime_deg[i] = limit_degrees_180(nu_i + sigma_deg - alpha_i);                       // eq. A12
    elevation_deg[i] = std::asin(std::sin(lat_rad) * sin_deg(delta_prime_deg[i]) +
                                 std::cos(lat_rad) * cos_deg(delta_prime_deg[i]) * cos_deg(h_prime_deg[i])) *
                       kDegPerRad;  // eq. A13
  }

  const auto to_local_hours = [base_offset_days, utc_offset_h](double day_fraction_ut) {
    return 24.0 * limit_fraction(base_offset_days + day_fraction_ut + utc_offset_h / 24.0);
  };
  times.transit_h = to_local_hours(m[0] - h_prime_deg[0] / 360.0);  // eq. A14
  if (polar) {
    times.sunrise_h = kNan;
    times.sunset_h = kNan;
    return times;
  }
  const auto correction = [&](std::size_t i) {
    return (elevation_deg[i] - h0_prime_deg) /
           (360.0 * cos_deg(delta_prime_deg[i]) * std::cos(lat_rad) * sin_deg(h_prime_deg[i]));
  };
  times.sunrise_h = to_local_hours(m[1] + correction(1));  // eq. A15
  times.sunset_h = to_local_hours(m[2] + correction(2));   // eq. A16
  return times;
}

}  // namespace sandan

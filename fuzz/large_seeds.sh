#!/usr/bin/env bash
# Copies the repository's large input files into the seed folders of the fuzz build (build/fuzz/seeds/
# <target>), so that fuzz/corpus keeps small files only: the whole synthetic EPW year, the holidays
# table, the steel plant's meter data, the GeoPackage layout (whole, and cut to two features a
# layer with ogr2ogr when it is there) and a year of hourly grid factors (written here: the repository
# has no such file; the series tests/python/test_results_file.py writes).
set -euo pipefail
cd "$(dirname "$0")/.."
seeds=${1:-build/fuzz/seeds}
mkdir -p "$seeds"/{epw,holidays,meter,layout,grid_factor}
cp -f gis_data/weather/incheon_synthetic.epw "$seeds/epw/"
cp -f gis_data/calendar/holidays_kr.csv "$seeds/holidays/"
cp -f tests/data/steel_plant_2018/Steel_industry_data_jan-sep.csv "$seeds/meter/"
cp -f gis_data/incheon.gpkg "$seeds/layout/"
if command -v ogr2ogr >/dev/null && [[ ! -s $seeds/layout/small.gpkg ]]; then
  rm -f "$seeds/layout/small.gpkg"
  ogr2ogr -f GPKG -limit 2 -lco SPATIAL_INDEX=NO "$seeds/layout/small.gpkg" gis_data/incheon.gpkg 2>/dev/null ||
    rm -f "$seeds/layout/small.gpkg"
fi
# The first byte '1' asks fuzz_grid_factor for 8760 hours; 0.3 and 0.5 tCO2eq/MWh alternate.
awk 'BEGIN { printf "1hour,t_per_mwh\n"; for (h = 0; h < 8760; ++h) printf "%d,%.1f\n", h, 0.3 + 0.2 * (h % 2) }' \
  >"$seeds/grid_factor/year.csv"

"""An HTML report of sandan results for policy staff: one self-contained file, in English or Korean.

    python3 -m sandan.report results/baseline.h5 results/green_2030.h5 -o report.html
    python3 -m sandan.report results/baseline.h5 results/green_2030.h5 --lang ko -o report_ko.html
    python3 -m sandan.report results/baseline.h5 results/sweep.h5 -o sweep.html
    python3 -m sandan.report a.h5 b.h5 --reference b.h5:b -o report.html

Every run in the files is a scenario; the first run of the first file is the reference, unless
`--reference FILE[:RUN]` names another (a file that is not among the inputs is added first). The
report holds: the caveats to read first (synthetic layout and weather, what the abatement counts,
estimated costs), a headline table (tCO2eq and tCO2eq abated by the interventions against the
reference, annualised cost, energy cost change and KRW per tCO2eq abated, gross and net, as `sandan
compare` computes them: against the counterfactual when the backgrounds differ), what each scenario
contains in plain words (its year, complexes, grid factor, models and every intervention with its
settings and cost; a batch's swept settings with their ranges), carbon by scope and complex, an
abatement waterfall per alternative, energy (load, PV, self-sufficiency, peak import, monthly
balance), the grid when the runs have one (voltage and loading violations per run and per feeder, PV
hosting capacity), traffic when the runs have it, a batch's response surfaces, and notes (data,
factors, files, versions). Plots are PNG images inside the file; CSS is inline; nothing is fetched
from elsewhere.

`--lang` picks the language (`en`, the default, or `ko`); every word of the report, its tables and
its plots is in `STRINGS`, one dict a language. The Korean report embeds the font NanumGothic
(Debian package fonts-nanum; regular and bold), subset with fontTools (python3-fonttools) to exactly
the characters the report uses, as base64 `@font-face` rules, so it renders the same anywhere; its
plots draw with the same font. A missing font or fontTools is bad input (exit 2, naming the package).

A file of many runs (a sweep) stays readable and quick: every run has its row in the tables, read
from the KPI tables in one pass a file; runs that share a background share one counterfactual
(`sandan compare` runs once a background, not once a run); the per-scenario plots (waterfall,
emissions by complex, monthly balance) and the per-feeder grid tables are drawn for at most
`MAX_DETAILED` alternatives: all of them when there are no more, else the `DETAILED_OF_MANY` that
abate the most, which the report says.

Exit codes as the command line's: 0 written; 2 bad input (a missing file, not a results file, an
unknown run, an unknown language, a missing font: one message on stderr naming the file, nothing
written); 3 the report could not be written; 4 an internal error. The file is written under a
temporary name and renamed when complete.
"""

from __future__ import annotations

import argparse
import base64
import html
import io
import math
import os
import re
import sys
import tempfile
import traceback
import warnings
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pandas as pd

import sandan
from sandan import KPI

from . import results as _results

# Alternatives drawn one by one (waterfall, emissions by complex, monthly balance); beyond this
# many, the report draws the DETAILED_OF_MANY that abate the most and lists every run in the tables.
MAX_DETAILED = 6
DETAILED_OF_MANY = 3
# The feeders listed one by one in the grid section, for each run drawn in detail.
MAX_FEEDERS = 15

MINUS = "\u2212"  # a real minus sign: easier to read in tables than a hyphen

# A font embedded in the report (and used by its plots) for the languages whose script the usual
# fonts may lack: the regular and bold faces, in FONT_DIR, and the Debian package that installs them.
FONT_DIR = Path(os.environ.get("SANDAN_REPORT_FONT_DIR", "/usr/share/fonts/truetype/nanum"))
FONTS = {"ko": {"family": "NanumGothic", "regular": "NanumGothic.ttf", "bold": "NanumGothicBold.ttf",
                "package": "fonts-nanum"}}

# Words of the report ----------------------------------------------------------------------------
# One dict per language, the same keys in each: a third language is one more dict (and, when its
# script is not Latin, a font in FONTS). Values are str.format templates with named fields.
STRINGS = {
    "en": {
        "html_lang": "en", "na": "n/a", "css": "", "krw_step": None, "kpi_names": {},
        "title": "Scenario report: carbon, cost and energy",
        "count_run": ("{n} run", "{n} runs"), "count_scenario": ("{n} scenario", "{n} scenarios"),
        "sub": "{count} against the reference <b>{reference}</b> (year {year}; complexes: {complexes}).",
        "list_sep": ", ", "and": " and ",
        # caveats
        "h_caveats": "Read this first",
        "cav_synthetic": "The layout and the weather are synthetic: the right places, areas, firm and employee "
                         "counts, industry mix and climate normals, with plausible streets, plots, feeders and "
                         "hours, but not surveyed boundaries, buildings or measured weather. Read the figures as "
                         "the order of magnitude of each measure, not as a survey of the complexes.",
        "cav_measured": "The layout and weather are those the scenarios name (see the notes).",
        "cav_attributed": "Abatement counts only what the interventions do. For {count} ({names}) the background "
                          "also differs from the reference's (year, grid emission factor, models, ...): the "
                          "headline compares each with its counterfactual (its own background with the "
                          "reference's interventions), so a cleaner grid or another year is not counted as "
                          "abatement ({background} tCO2eq/year of background change in {first}).",
        "cav_same": "Abatement counts only what the interventions do: every alternative has the reference's "
                    "background (year, grid emission factor, models), so reference − scenario is their effect.",
        "cav_unattributed": "For {count} ({names}) the background differs from the reference's but the "
                            "counterfactual could not be run: their abatement mixes the interventions with the "
                            "background change (see the warnings).",
        "cav_costs": "Intervention costs are the estimates stated in the scenario files; fuel and export prices "
                     "are sourced. A negative net cost per tonne means that the savings exceed the annualised cost.",
        # headline
        "h_headline": "Headline", "h_scenarios": "What each scenario contains",
        "col_scenario": "scenario", "col_settings": "settings", "col_year": "year",
        "col_tco2e": "tCO2eq/year", "col_abated": "abated by the interventions vs reference, tCO2eq/year",
        "col_abated_pct": "abated, %", "col_annualised": "annualised cost, million KRW/year",
        "col_energy_cost": "energy cost change, million KRW/year", "col_net": "net annual cost, million KRW/year",
        "col_gross_t": "KRW per tCO2eq abated, gross", "col_net_t": "KRW per tCO2eq abated, net",
        "reference_mark": "{label} (reference)",
        "no_alternative": "The files hold no alternative to the reference with a carbon account.",
        "lead_many": "The alternatives that abate the most", "lead_one": "The alternative",
        "lead": "{lead}, against <b>{reference}</b>:",
        "share_of_ref": " ({share} of the reference)",
        "no_cost": ", with no intervention cost stated in its scenario",
        "cost_per_t": ", at {gross} KRW per tCO2eq from its annualised cost, {net} KRW per tCO2eq net of the "
                      "change in energy costs",
        "abates": "abates", "adds": "adds",
        "summary_item": "<b>{label}</b> {verb} {tonnes} tCO2eq a year{share}{cost}.",
        "background_part": " The interventions only: the background changed the total by another {change} "
                           "tCO2eq/year, which is not counted.",
        "headline_note": "Abated: what the interventions abate, tCO2eq a year: reference − scenario, or, when "
                         "the backgrounds differ, counterfactual − scenario. Energy cost change and net annual "
                         "cost: scenario − reference (negative: savings). KRW per tCO2eq: see the notes.",
        # warnings
        "w_no_traffic": "{count} ({names}) ran without traffic, which the reference has: their tCO2eq totals leave "
                        "out road transport ({transport} tCO2eq/year in the reference), and the comparison "
                        "counts that as abated.",
        "w_no_traffic_attributed": "{count} ({names}) ran without traffic, which the reference has: their "
                                   "tCO2eq totals leave out road transport ({transport} tCO2eq/year in the "
                                   "reference); the headline counts that as background, not as abatement.",
        "w_traffic": "{count} ({names}) ran with traffic, which the reference has not: their totals include road "
                     "transport that the reference's leaves out, which counts against them.",
        "w_lack_emissions": "{count} ({names}) lack the carbon account that the reference has: their tCO2eq "
                            "abated is n/a.",
        "w_have_emissions": "{count} ({names}) have the carbon account that the reference lacks: their tCO2eq "
                            "abated is n/a.",
        "w_complexes": "{count} ({names}) simulate other complexes than the reference ({complexes}): their totals "
                       "cover other ground.",
        "w_like": "For like-for-like figures, take as reference a run with the same models and complexes, e.g. "
                  "--reference {spec}.",
        # scenario descriptions
        "sc_file_batch": "{file}: {count} of scenario {name}, each with:",
        "sc_swept": "Swept: {items}.", "sc_swept_item": "{name} {low} to {high} ({n} values)",
        "sc_swept_one": "{name} {value}",
        "sc_background": "Year {year}; {complexes}; grid emission factor {factor}; models: {models}.",
        "sc_factor": "{value} tCO2eq/MWh", "sc_factor_hourly": "hourly, from {file}",
        "sc_factor_file": "of the factors file", "sc_no_carbon": "no carbon account",
        "sc_models": {"energy": "energy", "grid": "grid", "traffic": "traffic", "emissions": "carbon"},
        "sc_hosting": "PV hosting capacity of every feeder computed",
        "sc_growth": "load × {value}", "sc_pv_yield": "PV yield × {value}",
        "sc_none": "No interventions (the background as it is).",
        "all_complexes": "all complexes", "complexes_list": "complexes {names}",
        "in_where": " in {where}", "sectors": " (sectors {codes})",
        "south": "facing south", "east": "facing east", "west": "facing west", "north": "facing north",
        "azimuth": "azimuth {deg}°",
        "pv": "Rooftop PV on {share} of {roofs}{where} ({m2} m²/kWp, {facing}, tilt {tilt}°)",
        "pv_min": "every roof of at least {min} m²", "pv_all": "every roof",
        "pv_export": "; export limited to {value} kW per kWp",
        "bat_complex": "A shared battery of {e} kWh and {p} kW at complex {where}, {strategy}",
        "bat_substation": "A shared battery of {e} kWh and {p} kW at substation {where}, {strategy}",
        "bat_facility": "A battery of {e} kWh and {p} kW behind facility {where}'s meter, {strategy}",
        "bat_facilities": "A battery behind every facility with PV{where}, {e} kWh and {p} kW per kWp, {strategy}",
        "strategies": {"peak_shaving": "peak shaving", "self_consumption": "self-consumption of PV",
                       "tou_arbitrage": "time-of-use arbitrage"},
        "eff": "Efficiency{where}{sectors}: {e} less electricity, {f} less fuel",
        "fs": "Heat pumps replace {share} of the process-heat fuel{where}{sectors} (COP {cop})",
        "hub": "A shared logistics hub for {where}: {share} of the stops that tours from the gates make at their "
               "firms are consolidated, reaching the hub in {reduction} fewer vehicles and delivered in hub tours",
        "hub_gain": "the freight file's",
        "ev": "Electric trucks: {light} of light-truck and {heavy} of heavy-truck vehicle-km",
        "cost": " (cost: {parts})", "cost_lump": "{value} KRW", "cost_per_kwp": "{value} KRW/kWp",
        "cost_per_kwh": "{value} KRW/kWh", "cost_per_kw": "{value} KRW/kW", "lifetime": "{value} years",
        "unknown_kind": "{kind}: {settings}", "other_keys": "; also {settings}",
        # sections
        "h_batch": "Batch: response surfaces", "batch_note": "Each dot is a run; colours interpolate between them.",
        "batch_h3": "{file}: {count} over {x} × {y}{extra}", "batch_extra": " (and {names}, averaged)",
        "surf_abated": "tCO2eq abated vs reference (tCO2eq/year)",
        "surf_net": "KRW per tCO2eq abated, net of energy costs (KRW/tCO2eq)",
        "surf_title": "{what} over the sweep",
        "h_attribution": "What the interventions did, and what the background did",
        "attr_text": "The backgrounds differ ({background}): the headline counts only what the interventions do, "
                     "against the counterfactual (this scenario's background with the reference's interventions).",
        "attr_needed": "{label}: {message}",
        "attr_cols": ["KPI (all complexes)", "unit", "change", "interventions", "grid factor", "other background"],
        "h_uncertainty": "Uncertainty",
        "unc_note": "P10, P50, P90 over the samples (docs/uncertainty.md). Abatement and cost per tonne are "
                    "against each sample's counterfactual.",
        "unc_h3": "{file}: {n} design points ({method})", "unc_inputs": ["uncertain input", "distribution"],
        "unc_outputs": ["output (all complexes)", "unit", "P10", "P50", "P90"],
        "sobol": "Sobol' total index", "morris": "Morris mu* (output units)", "moves": "What moves {output} most",
        "h_macc": "Marginal abatement cost",
        "macc_note": "Each intervention alone against the reference; the package together; the interaction is "
                     "the package minus the sum of the parts (docs/economics.md).",
        "macc_cols": ["intervention", "tCO2eq abated/year", "net cost, million KRW/year", "KRW per tCO2eq"],
        "macc_x": "tCO2eq abated a year (each intervention alone)", "macc_y": "net cost, KRW per tCO2eq",
        "h_carbon": "Carbon by scope and complex",
        "no_carbon": "No run has a carbon account (a scenario without <code>emission_factors</code>).",
        "carbon_cols": ["scenario", "scope 1 (fuels)", "scope 2 (electricity)", "transport", "total"],
        "carbon_caption": "tCO2eq/year by scope, all complexes and the roads between them",
        "complex_col": "complex",
        "complex_caption": "tCO2eq/year by complex (\"outside\": roads outside every complex; \"all\": the total)",
        "h_waterfall": "Abatement against the reference",
        "waterfall_note": "From the reference total (left) through the change of each scope (green: less, red: "
                          "more) to the scenario's total (right): the whole change, scenario − reference, background "
                          "included; the headline's abatement counts the interventions only.",
        "step": "step", "ref_total": "reference total", "alt_total": "alternative total",
        "waterfall_caption": "tCO2eq/year: the change of each scope, alternative − reference",
        "h_energy": "Energy",
        "energy_cols": ["scenario", "load, MWh/year", "PV, MWh/year", "self-sufficiency", "peak import, MW",
                        "grid import, MWh/year", "export, MWh/year", "fuel, MWh/year", "bill, million KRW/year"],
        "energy_caption": "All complexes; peak import is coincident, at the complexes' connections",
        "h_grid": "Grid: voltage, loading and hosting capacity",
        "grid_note": "Per feeder over the year's hours: hours with a bus below the scenario's minimum voltage "
                     "(undervoltage) or above its maximum (overvoltage), hours with a segment over its rating "
                     "(overload); the lowest and highest voltage and the highest loading of any hour.",
        "grid_cols": ["scenario", "feeders", "with a violation", "undervoltage hours, worst feeder",
                      "overvoltage hours, worst feeder", "overload hours, worst feeder", "lowest voltage, p.u.",
                      "highest voltage, p.u.", "highest loading", "PV hosting capacity, MWp"],
        "grid_caption": "All feeders of the simulated complexes",
        "grid_feeders_h3": "{label}: feeders with a violation",
        "grid_feeder_cols": ["feeder", "complex", "undervoltage, h", "overvoltage, h", "overload, h",
                             "lowest voltage, p.u.", "highest voltage, p.u.", "highest loading",
                             "hosting capacity, kWp"],
        "grid_none": "{label}: no feeder leaves its voltage band or exceeds its rating in any hour.",
        "grid_more": "… and {n} more feeders with a violation.",
        "not_computed": "not computed",
        "hosting_note": "Hosting capacity: the largest rooftop PV, spread over the roofs, that keeps every bus at "
                        "or below the maximum voltage and every segment within its rating; computed only when the "
                        "scenario asks (grid.hosting_capacity: true), else \"not computed\".",
        "nonconverged": "{label}: the power flow did not converge in {n} hours (their voltages are left out).",
        "h_traffic": "Traffic",
        "traffic_cols": ["scenario", "car-km, million km/year", "truck-km, million km/year",
                         "vehicle-hours, thousand h/year", "electric share of truck-km", "transport, tCO2eq/year"],
        "traffic_caption": "Road traffic on every road link of the layout, a year",
        "h_notes": "Notes",
        "n_layout": "Layout: {sites}. Weather: {weathers}.",
        "n_synthetic": " The shipped layout and weather are synthetic (gis_data/README.md).",
        "n_factor": "Grid emission factor: {items}. Fuels: IPCC 2006 factors; vehicles: speed-dependent curves; "
                    "exported PV carries no carbon credit (docs/emissions.md).",
        "n_factor_item": "{factor} tCO2eq/MWh with {path}: {labels}",
        "n_definitions": "tCO2eq abated = reference total − scenario total (complex \"all\"); when the two differ "
                         "in background (year, grid factor, tariff, ...), counterfactual total − scenario total, "
                         "so only the interventions count (docs/economics.md). KRW per tCO2eq abated, gross = "
                         "change in annualised intervention cost / tCO2eq abated; net = (change in annualised "
                         "cost + change in the energy cost: electricity bill, fuel, less PV export credit) / "
                         "tCO2eq abated, so a negative net figure means the savings exceed the annualised cost; "
                         "n/a when nothing is abated. Annualised cost = investment × capital recovery factor at "
                         "the scenario's discount rate over each intervention's lifetime, plus operation and "
                         "maintenance; the costs in the shipped scenarios are estimates, fuel and export prices "
                         "are sourced (gis_data/prices).",
        "n_detailed": "The {n} alternatives are all in the tables; the plots per scenario show the reference and "
                      "the {shown} that abate the most ({names}).",
        "n_file": "{file}: {count} of scenario {names}; written {created} by sandan {version} ({command}).",
        "n_no_command": "command not recorded",
        "n_run_notes": "Run notes: {notes}",
        "n_reference": "Reference: {label} ({spec}). Report made {when} with sandan.report.",
        # plots
        "months": ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"],
        "p_emissions_axis": "emissions (tCO2eq/year)", "p_axis_not_0": ", axis not from 0",
        "p_emissions_title": "Emissions by scope and complex, {label}",
        "p_monthly_title": "Monthly energy balance, all complexes, {label}",
        "p_monthly_axis": "energy per month (MWh)",
        "p_balance": {"PV used on site": "PV used on site", "battery": "battery", "grid import": "grid import",
                      "export": "export", "load": "load"},
        "p_waterfall_title": "{alt} against {ref}\n{abated} tCO2eq/year abated",
        "scopes": {"scope1": "scope 1 (fuels)", "scope2": "scope 2 (electricity)", "transport": "transport"},
        "reference_word": "reference",
        "areas": {"outside": "outside", "all": "all"},
        "complexes": {},
    },
    "ko": {
        "html_lang": "ko", "na": "해당 없음", "krw_step": (1e8, "억"),
        # Korean breaks lines between words, not inside them (the CSS default would split 부하율).
        "css": "body { word-break: keep-all; }",
        "kpi_names": {"tco2e_total": "배출량 합계", "tco2e_scope1": "Scope 1 (연료)", "tco2e_scope2": "Scope 2 (전력)",
                      "tco2e_transport": "수송 배출", "annual_import_mwh": "계통 수전량",
                      "energy_cost_krw": "에너지 비용"}, "title": "시나리오 보고서: 탄소, 비용, 에너지",
        "count_run": ("실행 {n}건", "실행 {n}건"), "count_scenario": ("시나리오 {n}개", "시나리오 {n}개"),
        "sub": "기준 시나리오 <b>{reference}</b> 대비 {count} ({year}년; 산업단지: {complexes}).",
        "list_sep": ", ", "and": " 및 ",
        "h_caveats": "먼저 읽어 주십시오",
        "cav_synthetic": "단지 배치(GIS)와 기상 자료는 합성 자료입니다. 위치, 면적, 업체 수와 종사자 수, 업종 구성, "
                         "기후 평년값은 실제와 맞추었으나, 도로·필지·배전선로·시간별 값은 그럴듯하게 만든 것이며 "
                         "실측한 경계, 건물, 기상이 아닙니다. 수치는 각 대책의 규모(자릿수)로 읽고, 단지의 실측 "
                         "조사 결과로 읽지 마십시오.",
        "cav_measured": "단지 배치와 기상 자료는 각 시나리오가 지정한 파일입니다(참고 사항 참조).",
        "cav_attributed": "감축량은 감축 수단의 효과만 셉니다. {count}({names})는 기준 시나리오와 배경(연도, 전력 "
                          "배출계수, 모델 구성 등)도 다르므로, 핵심 결과는 각 시나리오를 반사실 시나리오(같은 배경에 "
                          "기준 시나리오의 감축 수단만 둔 실행)와 비교합니다. 따라서 전력망의 탈탄소화나 연도 차이는 "
                          "감축량에 들어가지 않습니다({first}의 배경 변화: {background} tCO2eq/년).",
        "cav_same": "감축량은 감축 수단의 효과만 셉니다. 모든 대안이 기준 시나리오와 같은 배경(연도, 전력 배출계수, "
                    "모델 구성)이므로 기준 − 시나리오가 곧 감축 수단의 효과입니다.",
        "cav_unattributed": "{count}({names})는 배경이 기준 시나리오와 다르지만 반사실 시나리오를 실행할 수 없었습니다. "
                            "이들의 감축량에는 감축 수단과 배경 변화가 섞여 있습니다(경고 참조).",
        "cav_costs": "감축 수단의 비용은 시나리오 파일에 적힌 추정치이며, 연료 가격과 역송 단가는 출처가 있는 "
                     "값입니다. 톤당 순비용이 음수이면 절감액이 연간화 비용보다 크다는 뜻입니다.",
        "h_headline": "핵심 결과", "h_scenarios": "시나리오 구성",
        "col_scenario": "시나리오", "col_settings": "설정값", "col_year": "연도",
        "col_tco2e": "배출량, tCO2eq/년", "col_abated": "감축 수단에 의한 감축량(기준 대비), tCO2eq/년",
        "col_abated_pct": "감축률", "col_annualised": "연간화 비용, 백만 원/년",
        "col_energy_cost": "에너지 비용 변화, 백만 원/년", "col_net": "연간 순비용, 백만 원/년",
        "col_gross_t": "감축 톤당 비용(총), 원/tCO2eq", "col_net_t": "감축 톤당 비용(순), 원/tCO2eq",
        "reference_mark": "{label} (기준)",
        "no_alternative": "파일에 탄소 계정이 있는 대안 시나리오가 없습니다.",
        "lead_many": "감축량이 가장 큰 대안", "lead_one": "대안",
        "lead": "<b>{reference}</b> 대비 {lead}:",
        "share_of_ref": " (기준 배출량의 {share})",
        "no_cost": ", 시나리오에 감축 수단 비용이 적혀 있지 않음",
        "cost_per_t": ", 연간화 비용 기준 감축 톤당 {gross}원, 에너지 비용 변화를 반영한 순비용 기준 톤당 {net}원",
        "abates": "감축", "adds": "증가",
        "summary_item": "<b>{label}</b>: 연간 {tonnes} tCO2eq {verb}{share}{cost}.",
        "background_part": " 감축 수단의 효과만 셌으며, 배경 변화에 따른 {change} tCO2eq/년은 포함하지 않았습니다.",
        "headline_note": "감축량: 감축 수단이 줄인 연간 tCO2eq. 기준 − 시나리오이며, 배경이 다르면 반사실 시나리오 − "
                         "시나리오입니다. 에너지 비용 변화와 연간 순비용: 시나리오 − 기준(음수는 절감). 톤당 비용은 "
                         "참고 사항을 보십시오.",
        "w_no_traffic": "{count}({names})는 교통 모델 없이 실행되었으나 기준 시나리오에는 교통이 있습니다. 이들의 "
                        "배출 합계에는 도로 수송(기준 시나리오 {transport} tCO2eq/년)이 빠져 있고, 비교에서는 이것이 "
                        "감축으로 계산됩니다.",
        "w_no_traffic_attributed": "{count}({names})는 교통 모델 없이 실행되었으나 기준 시나리오에는 교통이 "
                                   "있습니다. 이들의 배출 합계에는 도로 수송(기준 시나리오 {transport} tCO2eq/년)이 "
                                   "빠져 있으며, 핵심 결과는 이를 감축이 아닌 배경 변화로 셉니다.",
        "w_traffic": "{count}({names})는 기준 시나리오에 없는 교통 모델과 함께 실행되었습니다. 이들의 합계에는 도로 "
                     "수송이 들어가 있어 불리하게 계산됩니다.",
        "w_lack_emissions": "{count}({names})에는 기준 시나리오에 있는 탄소 계정이 없습니다. 감축량은 해당 없음입니다.",
        "w_have_emissions": "{count}({names})에는 기준 시나리오에 없는 탄소 계정이 있습니다. 감축량은 해당 없음입니다.",
        "w_complexes": "{count}({names})는 기준 시나리오({complexes})와 다른 산업단지를 모의합니다. 합계의 범위가 "
                       "다릅니다.",
        "w_like": "같은 조건으로 비교하려면 모델과 산업단지가 같은 실행을 기준으로 지정하십시오. 예: --reference {spec}",
        "sc_file_batch": "{file}: 시나리오 {name}의 {count}, 공통 구성:",
        "sc_swept": "변화시킨 설정: {items}.", "sc_swept_item": "{name} {low}~{high} ({n}단계)",
        "sc_swept_one": "{name} {value}",
        "sc_background": "{year}년; {complexes}; 전력 배출계수 {factor}; 모델: {models}.",
        "sc_factor": "{value} tCO2eq/MWh", "sc_factor_hourly": "시간별, {file}",
        "sc_factor_file": "배출계수 파일의 값", "sc_no_carbon": "탄소 계정 없음",
        "sc_models": {"energy": "에너지", "grid": "배전망", "traffic": "교통", "emissions": "탄소"},
        "sc_hosting": "배전선로별 태양광 수용 용량 계산", "sc_growth": "전력 수요 × {value}", "sc_pv_yield": "태양광 발전량 × {value}",
        "sc_none": "감축 수단 없음(배경 그대로).",
        "all_complexes": "전체 산업단지", "complexes_list": "산업단지 {names}",
        "in_where": " ({where})", "sectors": " (업종 {codes})",
        "south": "남향", "east": "동향", "west": "서향", "north": "북향", "azimuth": "방위각 {deg}°",
        "pv": "{roofs}의 {share}에 태양광{where} ({m2} m²/kWp, {facing} {tilt}°)",
        "pv_min": "지붕 면적 {min} m² 이상 건물 지붕", "pv_all": "모든 건물 지붕",
        "pv_export": "; 역송은 kWp당 {value} kW로 제한",
        "bat_complex": "{where} 단지 공용 배터리 {e} kWh / {p} kW, {strategy}",
        "bat_substation": "변전소 {where} 공용 배터리 {e} kWh / {p} kW, {strategy}",
        "bat_facility": "사업장 {where} 계량기 후단 배터리 {e} kWh / {p} kW, {strategy}",
        "bat_facilities": "태양광을 설치한 모든 사업장{where}에 kWp당 {e} kWh / {p} kW 배터리, {strategy}",
        "strategies": {"peak_shaving": "최대 수요 저감(피크 셰이빙) 운전", "self_consumption": "태양광 자가소비 운전",
                       "tou_arbitrage": "시간대별 요금 차익 운전"},
        "eff": "에너지 효율 개선{where}{sectors}: 전력 {e}, 연료 {f} 절감",
        "fs": "공정열 연료의 {share}를 히트펌프로 전환{where}{sectors} (COP {cop})",
        "hub": "{where} 공동 물류센터: 외부에서 오는 화물차 순회 배송 방문의 {share}를 물류센터로 집약하여, "
               "물류센터까지 차량 {reduction} 감소 후 공동 순회 배송",
        "hub_gain": "화물 순회 파일 기준",
        "ev": "전기 화물차: 소형 화물차 주행거리의 {light}, 대형 화물차 주행거리의 {heavy}",
        "cost": " (비용: {parts})", "cost_lump": "{value} 원", "cost_per_kwp": "kWp당 {value}원",
        "cost_per_kwh": "kWh당 {value}원", "cost_per_kw": "kW당 {value}원", "lifetime": "내용연수 {value}년",
        "unknown_kind": "{kind}: {settings}", "other_keys": "; 기타 설정 {settings}",
        "h_batch": "일괄 실행: 반응 표면", "batch_note": "점 하나가 실행 하나이며, 색은 실행 사이를 보간한 값입니다.",
        "batch_h3": "{file}: {x} × {y}에 걸친 {count}{extra}", "batch_extra": " ({names}는 평균)",
        "surf_abated": "기준 대비 감축량 (tCO2eq/년)",
        "surf_net": "감축 톤당 순비용 (원/tCO2eq)",
        "surf_title": "일괄 실행의 {what}",
        "h_attribution": "감축 수단의 효과와 배경 변화의 효과",
        "attr_text": "배경이 다릅니다({background}). 핵심 결과는 반사실 시나리오(이 시나리오의 배경에 기준 "
                     "시나리오의 감축 수단을 둔 실행) 대비 감축 수단의 효과만 셉니다.",
        "attr_needed": "{label}: 반사실 시나리오를 이곳에서 실행할 수 없어 배경 변화를 나누지 못했습니다. 실행 "
                       "폴더에서 다시 비교하십시오. 엔진의 메시지: {message}",
        "attr_cols": ["지표 (전체 산업단지)", "단위", "변화", "감축 수단", "전력 배출계수", "기타 배경"],
        "h_uncertainty": "불확실성",
        "unc_note": "표본 전체의 P10, P50, P90 (docs/uncertainty.md). 감축량과 톤당 비용은 각 표본의 반사실 "
                    "시나리오 대비입니다.",
        "unc_h3": "{file}: 설계점 {n}개 ({method})", "unc_inputs": ["불확실한 입력", "분포"],
        "unc_outputs": ["출력 (전체 산업단지)", "단위", "P10", "P50", "P90"],
        "sobol": "Sobol' 전체 지수", "morris": "Morris mu* (출력 단위)", "moves": "{output}에 가장 큰 영향을 주는 입력",
        "h_macc": "한계감축비용",
        "macc_note": "각 감축 수단을 단독으로 기준과 비교하고, 전체 묶음을 함께 비교합니다. 상호작용은 묶음에서 "
                     "개별 수단의 합을 뺀 값입니다(docs/economics.md).",
        "macc_cols": ["감축 수단", "감축량, tCO2eq/년", "순비용, 백만 원/년", "톤당 비용, 원/tCO2eq"],
        "macc_x": "연간 감축량, tCO2eq (각 수단 단독)", "macc_y": "순비용, 원/tCO2eq",
        "h_carbon": "배출 범위별·산업단지별 온실가스",
        "no_carbon": "탄소 계정이 있는 실행이 없습니다(<code>emission_factors</code>가 없는 시나리오).",
        "carbon_cols": ["시나리오", "Scope 1 (연료)", "Scope 2 (전력)", "수송", "합계"],
        "carbon_caption": "배출 범위별 tCO2eq/년, 전체 산업단지와 단지 사이 도로",
        "complex_col": "산업단지",
        "complex_caption": "산업단지별 tCO2eq/년 (\"단지 외 도로\": 어느 단지에도 속하지 않는 도로, \"전체\": 합계)",
        "h_waterfall": "기준 대비 감축 내역",
        "waterfall_note": "기준 시나리오 합계(왼쪽)에서 배출 범위별 변화(초록: 감소, 빨강: 증가)를 거쳐 시나리오 "
                          "합계(오른쪽)까지. 배경 변화를 포함한 전체 변화(시나리오 − 기준)이며, 핵심 결과의 "
                          "감축량은 감축 수단의 효과만 셉니다.",
        "step": "단계", "ref_total": "기준 합계", "alt_total": "대안 합계",
        "waterfall_caption": "tCO2eq/년: 배출 범위별 변화, 대안 − 기준",
        "h_energy": "에너지",
        "energy_cols": ["시나리오", "전력 수요, MWh/년", "태양광 발전량, MWh/년", "전력 자립률",
                        "최대 수전 전력, MW", "계통 수전량, MWh/년", "역송 전력량, MWh/년", "연료 사용량, MWh/년",
                        "전기요금, 백만 원/년"],
        "energy_caption": "전체 산업단지. 최대 수전 전력은 단지 수전점 합계의 동시 최대값. 전력 자립률 = 1 − 계통 "
                          "수전량 / 전력 수요",
        "h_grid": "배전망: 전압, 부하율, 태양광 수용 용량",
        "grid_note": "배전선로(피더)별 연간 시간 수: 어느 모선이 시나리오의 최저 전압보다 낮은 시간(저전압), 최고 "
                     "전압보다 높은 시간(과전압), 어느 구간이 정격을 넘은 시간(과부하). 그리고 모든 시간 중 최저·최고 "
                     "전압과 최대 부하율.",
        "grid_cols": ["시나리오", "배전선로 수", "위반 선로 수", "저전압 시간(최악 선로)", "과전압 시간(최악 선로)",
                      "과부하 시간(최악 선로)", "최저 전압, p.u.", "최고 전압, p.u.", "최대 부하율",
                      "태양광 수용 용량, MWp"],
        "grid_caption": "모의한 산업단지의 모든 배전선로",
        "grid_feeders_h3": "{label}: 위반이 있는 배전선로",
        "grid_feeder_cols": ["배전선로", "산업단지", "저전압, 시간", "과전압, 시간", "과부하, 시간",
                             "최저 전압, p.u.", "최고 전압, p.u.", "최대 부하율", "수용 용량, kWp"],
        "grid_none": "{label}: 어느 시간에도 전압 범위를 벗어나거나 정격을 넘는 배전선로가 없습니다.",
        "grid_more": "… 외 위반 선로 {n}개.",
        "not_computed": "계산하지 않음",
        "hosting_note": "태양광 수용 용량: 지붕에 고르게 설치했을 때 모든 모선이 최고 전압 이하, 모든 구간이 정격 "
                        "이내로 유지되는 최대 지붕 태양광 용량. 시나리오가 요청할 때(grid.hosting_capacity: true)만 "
                        "계산하며, 그 밖에는 \"계산하지 않음\"으로 표시합니다.",
        "nonconverged": "{label}: 조류 계산이 {n}시간 동안 수렴하지 않았습니다(그 시간의 전압은 제외).",
        "h_traffic": "교통",
        "traffic_cols": ["시나리오", "승용차 주행거리, 백만 km/년", "화물차 주행거리, 백만 km/년",
                         "차량 운행시간, 천 시간/년", "화물차 주행거리 중 전기차 비율", "수송 배출, tCO2eq/년"],
        "traffic_caption": "단지 배치의 모든 도로 구간, 연간 도로 교통",
        "h_notes": "참고 사항",
        "n_layout": "단지 배치: {sites}. 기상: {weathers}.",
        "n_synthetic": " 함께 제공되는 단지 배치와 기상 자료는 합성 자료입니다(gis_data/README.md).",
        "n_factor": "전력 배출계수: {items}. 연료: IPCC 2006 배출계수, 차량: 속도별 배출 곡선. 역송한 태양광 "
                    "전력에는 탄소 크레딧을 주지 않습니다(docs/emissions.md).",
        "n_factor_item": "{factor} tCO2eq/MWh, {path}: {labels}",
        "n_definitions": "감축량(tCO2eq) = 기준 합계 − 시나리오 합계(산업단지 \"전체\"). 두 실행의 배경(연도, 전력 "
                         "배출계수, 요금 등)이 다르면 반사실 시나리오 합계 − 시나리오 합계로, 감축 수단의 효과만 "
                         "셉니다(docs/economics.md). 감축 톤당 비용(총) = 감축 수단 연간화 비용의 변화 / 감축량. "
                         "순비용 = (연간화 비용 변화 + 에너지 비용 변화: 전기요금, 연료비, 태양광 역송 수입 차감) / "
                         "감축량. 따라서 순비용이 음수이면 절감액이 연간화 비용보다 큽니다. 감축량이 없으면 해당 "
                         "없음. 연간화 비용 = 투자비 × 자본회수계수(시나리오의 할인율, 각 수단의 내용연수) + 운영·"
                         "유지비. 제공된 시나리오의 비용은 추정치이며, 연료 가격과 역송 단가는 출처가 있는 값입니다"
                         "(gis_data/prices).",
        "n_detailed": "대안 {n}개는 모두 표에 있습니다. 시나리오별 그림은 기준 시나리오와 감축량이 가장 큰 {shown}개"
                      "({names})만 그렸습니다.",
        "n_file": "{file}: 시나리오 {names}의 {count}. {created}에 sandan {version}으로 작성({command}).",
        "n_no_command": "명령 기록 없음",
        "n_run_notes": "실행 메모: {notes}",
        "n_reference": "기준 시나리오: {label} ({spec}). 보고서 작성 {when}, sandan.report.",
        "months": [f"{m}월" for m in range(1, 13)],
        "p_emissions_axis": "배출량 (tCO2eq/년)", "p_axis_not_0": ", 축이 0에서 시작하지 않음",
        "p_emissions_title": "배출 범위별·산업단지별 배출량, {label}",
        "p_monthly_title": "월별 에너지 수지, 전체 산업단지, {label}",
        "p_monthly_axis": "월 에너지 (MWh)",
        "p_balance": {"PV used on site": "태양광 자가소비", "battery": "배터리", "grid import": "계통 수전",
                      "export": "역송", "load": "전력 수요"},
        "p_waterfall_title": "{alt}, {ref} 대비\n배출 {abated} tCO2eq/년 감소",
        "scopes": {"scope1": "Scope 1 (연료)", "scope2": "Scope 2 (전력)", "transport": "수송"},
        "reference_word": "기준",
        "areas": {"outside": "단지 외 도로", "all": "전체"},
        # The complexes' Korean names (gis_data/complexes.yaml, name_ko, without 국가산업단지/산업단지).
        "complexes": {"juan": "주안", "bupyeong": "부평", "machinery": "인천기계", "local": "인천지방",
                      "beautiful_park": "뷰티풀파크"},
    },
}

LANGUAGES = tuple(STRINGS)
_lang = "en"  # the language of the report being built (build_report sets it)


def _t(key, **values):
    """The current language's text of `key`, its fields filled in (a list or dict as it is)."""
    text = STRINGS[_lang][key]
    return text.format(**values) if values and isinstance(text, str) else text


def _count(n, what):
    """"1 run", "3 runs", "실행 3건": `what` is run or scenario."""
    one, many = _t(f"count_{what}")
    return (one if n == 1 else many).format(n=f"{n:,}")


def _complex_name(area):
    """A complex (or "outside", "all") as the report's language names it."""
    return _t("complexes").get(area) or _t("areas").get(area) or area.replace("_", " ")


# Formatting -------------------------------------------------------------------------------------
def number(value, decimals=0, signed=False, scale=1.0):
    """`value / scale` with thousands separators, `decimals` decimals and a real minus sign;
    "n/a" for None or NaN; a leading "+" when `signed` and positive."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return _t("na")
    scaled = value / scale
    text = f"{abs(scaled):,.{decimals}f}"
    if float(text.replace(",", "")) == 0:
        return text
    if scaled < 0:
        return MINUS + text
    return ("+" + text) if signed else text


def percent(value, decimals=1, signed=False):
    """A share (0.123) as "12.3 %"; one more decimal below 1 % (0.0003 as "0.03 %")."""
    if value is None or not math.isfinite(value):
        return _t("na")
    if 0 < abs(value) < 0.01:
        decimals += 1
    return f"{number(100.0 * value, decimals, signed)} %"


def share(value):
    """A setting's share (0.5) as "50 %", with the decimals it has (0.125 as "12.5 %")."""
    return f"{float(f'{100.0 * float(value):.4g}'):,g} %"


def plain(value):
    """A setting's number as written: 1,000 and 0.26, no float noise (0.26000000000000001)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    value = float(f"{float(value):.6g}")
    return f"{value:,.0f}" if value == round(value) and abs(value) >= 1000 else f"{value:g}"


def plural(count, word):
    """"1 run", "3 runs"."""
    return f"{count:,} {word}" + ("" if count == 1 else "s")


def _e(text):
    return html.escape(str(text), quote=True)


# Plots ------------------------------------------------------------------------------------------
def _figure(columns, rows, width=6.4, height=3.6):
    """A matplotlib Figure without pyplot (nothing is shown or kept), with a grid of Axes."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width * columns, height * rows), layout="constrained")
    axes = figure.subplots(rows, columns, squeeze=False)
    return figure, axes


def _png(figure, alt):
    """An <img> of the figure, embedded as base64 PNG (no metadata, so no links inside)."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=90, metadata={"Software": None})
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return f'<img alt="{_e(alt)}" src="data:image/png;base64,{data}">'


def _grid_of(items, draw, alt, columns=2, width=6.4, height=3.6, sharey=False):
    """One figure with a panel per item, `draw(item, ax)` filling each; empty panels hidden."""
    columns = min(columns, len(items))
    rows = math.ceil(len(items) / columns)
    figure, axes = _figure(columns, rows, width, height)
    flat = axes.ravel()
    for item, ax in zip(items, flat):
        draw(item, ax)
    for ax in flat[len(items):]:
        ax.set_visible(False)
    if sharey and len(items) > 1:
        top = max(ax.get_ylim()[1] for ax in flat[:len(items)])
        bottom = min(ax.get_ylim()[0] for ax in flat[:len(items)])
        for ax in flat[:len(items)]:
            ax.set_ylim(bottom, top)
    return _png(figure, alt)


def _relegend(ax, words, **options):
    """The legend of `ax` again, its labels in the report's language (`words`: English → shown)."""
    legend = ax.get_legend()
    if legend is None:
        return
    handles, labels = ax.get_legend_handles_labels()
    ax.legend(handles, [words.get(label, label) for label in labels], **options)


def _font_paths(lang):
    """The regular and bold font files of `lang` ({} when it needs none); BadInputError naming the
    file and the package to install when they are missing."""
    font = FONTS.get(lang)
    if font is None:
        return {}
    paths = {face: FONT_DIR / font[face] for face in ("regular", "bold")}
    for path in paths.values():
        if not path.is_file():
            raise _results._bad_input(
                f"{path}: no such font file; the {lang} report embeds the font {font['family']}: install the "
                f"Debian package {font['package']} (apt-get install {font['package']}), or set "
                "SANDAN_REPORT_FONT_DIR to the folder holding its files")
    try:
        import fontTools.subset  # noqa: F401 - only whether it is installed
    except ImportError:
        raise _results._bad_input(f"the {lang} report subsets the font {font['family']} with fontTools, which "
                                  "is not installed: install the Debian package python3-fonttools") from None
    return paths


def _plot_fonts(lang):
    """rcParams for the plots of `lang`: its font first (so its script has glyphs), DejaVu Sans after
    it for what the font lacks (the minus sign)."""
    paths = _font_paths(lang)
    if not paths:
        return {}
    from matplotlib import font_manager

    for path in paths.values():
        font_manager.fontManager.addfont(os.fspath(path))
    return {"font.family": [FONTS[lang]["family"], "DejaVu Sans"]}


def _font_face(lang, text):
    """@font-face rules embedding `lang`'s font (regular and bold) subset to the characters of
    `text`, as base64 data: URLs, and the family name; ("", None) when the language needs none."""
    paths = _font_paths(lang)
    if not paths:
        return "", None
    from fontTools import subset

    family = f"Sandan{FONTS[lang]['family']}"
    # WOFF2 (Brotli) where the brotli module is installed, else WOFF (zlib): a third to a half of TTF.
    try:
        import brotli  # noqa: F401 - only whether it is installed

        flavor = "woff2"
    except ImportError:
        flavor = "woff"
    characters = {ord(c) for c in text if ord(c) >= 0x20} | set(range(0x20, 0x7f))
    rules = []
    for face, weight in (("regular", 400), ("bold", 700)):
        options = subset.Options()
        options.hinting = False  # the hinting instructions are half of a TrueType glyph's bytes
        options.name_IDs = [0, 1, 2, 3, 4, 5, 6]
        options.notdef_outline = True
        options.drop_tables += ["TSI0", "TSI1", "TSI2", "TSI3", "TSI5"]  # the font editor's sources
        font = subset.load_font(os.fspath(paths[face]), options)
        # Fonts made for Korean often lack the minus sign U+2212 of the tables: draw it with the
        # font's en dash, as wide as a digit, rather than with another font's glyph.
        for table in font["cmap"].tables:
            if table.isUnicode() and 0x2212 not in table.cmap and 0x2013 in table.cmap:
                table.cmap[0x2212] = table.cmap[0x2013]
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=characters)
        subsetter.subset(font)
        font.flavor = flavor
        buffer = io.BytesIO()
        font.save(buffer)
        data = base64.b64encode(buffer.getvalue()).decode("ascii")
        rules.append(f'@font-face {{ font-family: "{family}"; font-weight: {weight}; font-style: normal; '
                     f'src: url(data:font/{flavor};base64,{data}) format("{flavor}"); }}')
    return "\n".join(rules), family


# The scenarios ----------------------------------------------------------------------------------
class Scenario:
    """A run of the report with its label and its headline against the reference."""

    def __init__(self, run, label):
        self.run = run
        self.label = label
        self.headline = None  # sandan.compare(...)["headline"], for an alternative
        self.attribution = None  # sandan.compare(...)["attribution"]
        self.status = None  # the attribution's status, also when the headline was derived (see _headlines)
        self._kpis = None

    def kpi(self, key, complex="all"):  # noqa: A002 - the KPI table's word
        """A KPI of complex `complex`, or None when the run does not have it."""
        if self._kpis is None:
            kpi = self.run.kpi
            self._kpis = dict(zip(zip(kpi["key"], kpi["complex"]), kpi["value"].astype(float)))
        return self._kpis.get((str(key), complex))

    @property
    def abated(self):
        return None if self.headline is None else self.headline.get("tco2e_abated")

    @property
    def groups(self):
        return self.run.groups

    @property
    def complexes(self):
        """The simulated complexes, from the KPI table (no group opened)."""
        if self._kpis is None:
            self.kpi(KPI.tco2e_total)
        return list(dict.fromkeys(c for (_, c) in self._kpis if c != "all"))


def _open_inputs(paths, reference_spec, files):
    """Open the input files into the list `files` (so the caller can close them whatever happens)
    and return the scenarios, the reference first. BadInputError (naming the file) for a missing
    file, a file that is not a results file or an unknown run."""
    for path in paths:
        files.append(_results.open(path))
    reference = None
    if reference_spec is not None:
        path, run = _results.split_spec(reference_spec)
        same = [f for f in files if os.path.exists(path) and f.path.exists()
                and os.path.samefile(f.path, path)]
        if same:
            holder = same[0]
        else:
            holder = _results.open(path)
            files.insert(0, holder)
        reference = holder.run(run)
    for results_file in files:
        results_file.read_run_layouts()  # every run's attributes in one pass, not one open a run
    runs = [run for results_file in files for run in results_file]
    if not runs:
        raise _results._bad_input(f"{os.fspath(files[0].path)}: holds no runs")
    if reference is None:
        reference = runs[0]
    runs = [reference] + [run for run in runs if not (run.file is reference.file and run.id == reference.id)]
    ids = [run.id for run in runs]
    scenarios = [Scenario(run, run.id if ids.count(run.id) == 1 else f"{run.file.path.name}:{run.id}")
                 for run in runs]
    # Every run's KPI table in one pass over each file (the engine's reader), not one read a run.
    for results_file in files:
        mine = [s for s in scenarios if s.run.file is results_file]
        if len(mine) < 2:
            continue
        table = results_file.kpis(runs=[s.run.id for s in mine])
        for s, (_, rows) in zip(mine, table.groupby("run_id", sort=False)):
            s.run._kpi = rows[["key", "complex", "value", "unit"]].reset_index(drop=True)
    return scenarios


def _settings(run):
    """A batch run's swept values, short: "roof_share 0.4, energy_kwh 20,000"."""
    parts = []
    for key, value in run.parameters.items():
        name = key.rsplit(".", 1)[-1].replace("monte_carlo_run", "Monte Carlo run")
        large = (isinstance(value, (int, float)) and abs(value) >= 1000
                 and key not in _results.MONTE_CARLO_KEYS)
        if isinstance(value, float) and not large and value != round(value, 4):
            value = float(f"{value:.4g}")  # a sampled value: four significant digits are enough to read
        shown = number(value, 0) if large else value
        parts.append(f"{name} {shown}")
    return ", ".join(parts)


# Headlines ------------------------------------------------------------------------------------
# Settings that are not background (docs/economics.md, "What counts as background").
_NOT_BACKGROUND = ("name", "interventions", "facility_series")


def _background(text):
    """The resolved scenario's top-level settings but its name, interventions and facility_series:
    runs with equal backgrounds share the counterfactual of a comparison with the reference."""
    kept, skip = [], False
    for line in (text or "").splitlines():
        if line and not line[0].isspace() and not line.startswith("-"):
            skip = line.split(":", 1)[0].strip() in _NOT_BACKGROUND
        if not skip:
            kept.append(line)
    return "\n".join(kept)


def _derived_headline(b, against):
    """The headline of `sandan compare` (docs/economics.md, "What a comparison reports") of run `b`
    (a Scenario) against the KPIs `against` ((key → value) of complex "all": the reference, or the
    counterfactual when attributed)."""
    def delta(key):
        value, base = b.kpi(key), against.get(key)
        return None if value is None or base is None else value - base

    total, base = b.kpi(KPI.tco2e_total), against.get(str(KPI.tco2e_total))
    abated = None if total is None or base is None else base - total
    annualised, bill, energy = delta(KPI.annualised_cost_krw), delta(KPI.bill_krw), delta(KPI.energy_cost_krw)
    cost = energy if energy is not None else bill
    net = None if annualised is None or cost is None else annualised + cost
    per = abated is not None and abated > 0
    return {"tco2e_abated": abated, "delta_annualised_cost_krw": annualised, "delta_bill_krw": bill,
            "delta_energy_cost_krw": energy, "net_annual_cost_krw": net,
            "krw_per_tco2e_gross": annualised / abated if per and annualised is not None else None,
            "krw_per_tco2e_net": net / abated if per and net is not None else None}


_HEADLINE_KEYS = (KPI.tco2e_total, KPI.annualised_cost_krw, KPI.bill_krw, KPI.energy_cost_krw)


def _compare(reference, s):
    comparison = sandan.compare(os.fspath(reference.run.path), os.fspath(s.run.path), reference.run.id, s.run.id)
    s.headline, s.attribution = comparison["headline"], comparison.get("attribution")
    s.status = (s.attribution or {}).get("status")
    return comparison


def _headlines(scenarios, reference):
    """Each alternative's headline against the reference, as `sandan compare` gives it.

    Alternatives whose backgrounds are equal share the run their headline is against (the reference,
    or one counterfactual of that background with the reference's interventions): `sandan compare`
    runs for the first of each background, which gives that run's KPIs (B − the interventions' share
    of B − A), and the headline of the others follows from their KPIs. A 200-run sweep of
    interventions thus runs one counterfactual instead of 200. When the derived headline of the
    first does not match the engine's, every run of that background is compared by the engine."""
    groups = {}
    for s in scenarios[1:]:
        groups.setdefault(_background(s.run.scenario), []).append(s)
    for members in groups.values():
        first = members[0]
        _compare(reference, first)
        against = None
        if first.status == "attributed":
            rows = {r["key"]: r for r in first.attribution.get("rows", []) if r["complex"] == "all"}
            if all(str(k) in rows and first.kpi(k) is not None for k in _HEADLINE_KEYS):
                against = {str(k): first.kpi(k) - rows[str(k)]["interventions"] for k in _HEADLINE_KEYS}
        elif first.status in ("same_background", "not_attributed", "counterfactual_needed", None):
            against = {str(k): reference.kpi(k) for k in _HEADLINE_KEYS if reference.kpi(k) is not None}
        derived = _derived_headline(first, against) if against is not None else None
        if derived is None or not all(_close(derived[k], first.headline.get(k)) for k in derived):
            for s in members[1:]:
                _compare(reference, s)
            continue
        change_background = first.headline.get("tco2e_change_background")
        for s in members[1:]:
            s.headline = _derived_headline(s, against)
            total, ref_total = s.kpi(KPI.tco2e_total), reference.kpi(KPI.tco2e_total)
            s.headline["tco2e_change_total"] = None if total is None or ref_total is None else total - ref_total
            s.headline["tco2e_change_background"] = change_background
            s.status = first.status
            s.attribution = {"status": first.status, "background": (first.attribution or {}).get("background", []),
                             "message": (first.attribution or {}).get("message", ""), "derived": True}


def _close(a, b):
    """Whether two headline figures agree (both None, or within rounding)."""
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) <= 1e-6 * max(1.0, abs(a), abs(b))


# What each scenario contains ------------------------------------------------------------------
def _yaml(text):
    """The resolved scenario as Python data ({} when it cannot be read)."""
    import yaml

    try:
        data = yaml.load(text or "", Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError:
        return {}
    return data if isinstance(data, dict) else {}


def _where(complexes):
    names = [_complex_name(c) for c in complexes or []]
    return _t("in_where", where=_t("list_sep").join(names)) if names else ""


def _sectors(codes):
    return _t("sectors", codes=", ".join(map(str, codes))) if codes else ""


def _facing(azimuth):
    azimuth = float(azimuth) % 360
    words = {180.0: "south", 90.0: "east", 270.0: "west", 0.0: "north"}
    return _t(words[azimuth]) if azimuth in words else _t("azimuth", deg=plain(azimuth))


# Keys each intervention's sentence states, and those it leaves out on purpose (technical settings
# at their documented defaults, docs/scenarios.md); any other key is shown as key: value.
_SAID = {
    "rooftop_pv": {"complexes", "roof_share", "m2_per_kwp", "min_roof_m2", "tilt_deg", "azimuth_deg",
                   "export_limit_kw_per_kwp", "dc_ac_ratio", "inverter_efficiency", "gamma_per_c",
                   "system_losses_pct", "albedo"},
    "battery": {"at", "complexes", "energy_kwh", "power_kw", "energy_kwh_per_kwp", "power_kw_per_kwp",
                "strategy", "round_trip_efficiency", "soc_min", "soc_max", "soc_initial"},
    "efficiency": {"complexes", "sectors", "electricity_saving", "fuel_saving"},
    "fuel_switch": {"complexes", "sectors", "share", "cop", "boiler_efficiency"},
    "logistics_hub": {"complexes", "share", "trip_reduction", "lat", "lon"},
    "ev_trucks": {"light_truck_share", "heavy_truck_share"},
}
_COSTS = ("cost_krw", "cost_krw_per_kwp", "cost_krw_per_kwh", "cost_krw_per_kw", "lifetime_years",
          "om_share_per_year")


def _intervention(kind, settings):
    """One intervention in plain words, with its cost."""
    s = settings if isinstance(settings, dict) else {}
    g = s.get
    if kind == "rooftop_pv":
        minimum = float(g("min_roof_m2", 0) or 0)
        text = _t("pv", share=share(g("roof_share", 0.5)),
                  roofs=_t("pv_min", min=plain(minimum)) if minimum > 0 else _t("pv_all"),
                  where=_where(g("complexes")), m2=plain(g("m2_per_kwp", 10)), facing=_facing(g("azimuth_deg", 180)),
                  tilt=plain(g("tilt_deg", 15)))
        if g("export_limit_kw_per_kwp") is not None:
            text += _t("pv_export", value=plain(g("export_limit_kw_per_kwp")))
    elif kind == "battery":
        at = str(g("at", ""))
        strategy = _t("strategies").get(g("strategy"), str(g("strategy", "")))
        place, _, where = at.partition(":")
        if place == "facilities":
            text = _t("bat_facilities", where=_where(g("complexes")), e=plain(g("energy_kwh_per_kwp", 0)),
                      p=plain(g("power_kw_per_kwp", 0)), strategy=strategy)
        else:
            key = {"complex": "bat_complex", "substation": "bat_substation"}.get(place, "bat_facility")
            text = _t(key, where=_complex_name(where) if place == "complex" else where,
                      e=plain(g("energy_kwh", 0)), p=plain(g("power_kw", 0)), strategy=strategy)
    elif kind == "efficiency":
        text = _t("eff", where=_where(g("complexes")), sectors=_sectors(g("sectors")),
                  e=share(g("electricity_saving", 0)), f=share(g("fuel_saving", 0)))
    elif kind == "fuel_switch":
        text = _t("fs", share=share(g("share", 0.5)), where=_where(g("complexes")), sectors=_sectors(g("sectors")),
                  cop=plain(g("cop", 3)))
    elif kind == "logistics_hub":
        text = _t("hub", where=_t("list_sep").join(_complex_name(c) for c in g("complexes") or []),
                  share=share(g("share", 0.5)),
                  reduction=share(g("trip_reduction")) if g("trip_reduction") is not None else _t("hub_gain"))
    elif kind == "ev_trucks":
        text = _t("ev", light=share(g("light_truck_share", 0)), heavy=share(g("heavy_truck_share", 0)))
    else:
        return _t("unknown_kind", kind=kind, settings=_key_values(s))
    other = {k: v for k, v in s.items() if k not in _SAID[kind] and k not in _COSTS}
    if other:
        text += _t("other_keys", settings=_key_values(other))
    costs = [_t(name, value=_krw(g(key)) if key == "cost_krw" else plain(g(key))) for key, name in (
        ("cost_krw", "cost_lump"), ("cost_krw_per_kwp", "cost_per_kwp"), ("cost_krw_per_kwh", "cost_per_kwh"),
        ("cost_krw_per_kw", "cost_per_kw")) if g(key)]
    if costs:
        costs.append(_t("lifetime", value=plain(g("lifetime_years", 20))))
        text += _t("cost", parts=", ".join(costs))
    return text


def _krw(value):
    """A sum of KRW as the language writes large sums: 30,000,000,000 or 300억."""
    step = _t("krw_step")
    if step and abs(float(value)) >= step[0]:
        return f"{plain(float(value) / step[0])}{step[1]}"
    return plain(value)


def _key_values(settings):
    return ", ".join(f"{k}: {plain(v) if isinstance(v, (int, float)) else v}" for k, v in settings.items())


def _scenario_background(data, groups):
    """The year, complexes, grid factor and models of a resolved scenario, one sentence."""
    complexes = data.get("complexes") or []
    factor = data.get("grid_emission_factor")
    if "emission_factors" not in data:
        factor_text = _t("sc_no_carbon")
    elif isinstance(factor, dict) and "t_per_mwh" in factor:
        factor_text = _t("sc_factor", value=plain(factor["t_per_mwh"]))
    elif isinstance(factor, dict) and "hourly_csv" in factor:
        factor_text = _t("sc_factor_hourly", file=factor["hourly_csv"])
    else:
        factor_text = _t("sc_factor_file")
    models = [_t("sc_models")[g] for g in ("energy", "grid", "traffic", "emissions") if g in groups]
    text = _t("sc_background", year=data.get("year", _t("na")),
              complexes=_t("complexes_list", names=_t("list_sep").join(_complex_name(c) for c in complexes))
              if complexes else _t("all_complexes"), factor=factor_text, models=", ".join(models))
    extra = [_t(key, value=plain(data[name])) for name, key in (("load_growth", "sc_growth"),
                                                                 ("pv_yield_factor", "sc_pv_yield"))
             if isinstance(data.get(name), (int, float)) and float(data[name]) != 1.0]
    if isinstance(data.get("grid"), dict) and data["grid"].get("hosting_capacity") is True:
        extra.append(_t("sc_hosting"))
    return text[:-1] + "; " + "; ".join(extra) + "." if extra else text


def _description(run):
    """A run's scenario in plain words: its background, then one item an intervention."""
    data = _yaml(run.scenario)
    items = []
    for entry in data.get("interventions") or []:
        if isinstance(entry, dict) and len(entry) == 1:
            kind, settings = next(iter(entry.items()))
            items.append(_intervention(str(kind), settings))
        else:
            items.append(str(entry))
    return _scenario_background(data, run.groups), items or [_t("sc_none")]


def _swept(results_file):
    """A batch file's swept settings with their range: "roof_share 5 % to 100 % (20 values)"."""
    index = results_file.index
    parts = []
    for column in results_file.swept_columns:
        values = index[column].dropna()
        name = column.rsplit(".", 1)[-1]
        if not len(values):
            continue
        fraction = name.endswith(("share", "saving", "reduction"))
        show = share if fraction else plain
        unique = sorted(values.unique(), key=lambda v: (isinstance(v, str), v))
        if len(unique) == 1:
            parts.append(_t("sc_swept_one", name=name, value=show(unique[0])))
        elif all(isinstance(v, (int, float)) for v in unique):
            parts.append(_t("sc_swept_item", name=name, low=show(unique[0]), high=show(unique[-1]), n=len(unique)))
        else:
            parts.append(f"{name}: {', '.join(map(str, unique))}")
    return _t("sc_swept", items="; ".join(parts)) if parts else ""


def _scenarios_section(scenarios, files):
    """What each scenario contains: for a file of one scenario's many runs (a batch), its common
    content and the settings it sweeps; else every run."""
    out = []
    for results_file in files:
        mine = [s for s in scenarios if s.run.file is results_file]
        if not mine:
            continue
        if len(mine) > 1 and results_file.swept_columns:
            background, items = _description(mine[0].run)
            swept = _swept(results_file)
            names = sorted({s.run.scenario_name for s in mine})
            lead = _t("sc_file_batch", file=results_file.path.name, count=_count(len(mine), "run"),
                      name=", ".join(names))
            out.append(f"<p>{_e(lead)}</p><ul><li>{_e(background)}</li>" + "".join(f"<li>{_e(i)}</li>" for i in items)
                       + (f"<li>{_e(swept)}</li>" if swept else "") + "</ul>")
            continue
        for s in mine:
            background, items = _description(s.run)
            mark = _t("reference_mark", label=s.label) if s is scenarios[0] else s.label
            out.append(f"<p><b>{_e(mark)}</b>: {_e(background)}</p><ul>"
                       + "".join(f"<li>{_e(i)}</li>" for i in items) + "</ul>")
    return "\n".join(out)


# Sections ---------------------------------------------------------------------------------------
def _table(header, rows, classes=None, caption=None):
    """An HTML table; cells are text (escaped), numeric columns right-aligned by `classes`."""
    classes = classes or ["num"] * len(header)
    out = ["<table>"]
    if caption:
        out.append(f"<caption>{_e(caption)}</caption>")
    out.append("<thead><tr>" + "".join(f'<th class="{c}">{_e(h)}</th>' for h, c in zip(header, classes))
               + "</tr></thead><tbody>")
    for row in rows:
        out.append("<tr>" + "".join(f'<td class="{c}">{_e(v)}</td>' for v, c in zip(row, classes)) + "</tr>")
    out.append("</tbody></table>")
    return "\n".join(out)


def _headline_section(scenarios, reference, batch):
    years = len({s.run.year for s in scenarios}) > 1
    header = [_t("col_scenario")] + ([_t("col_settings")] if batch else []) + ([_t("col_year")] if years else []) + [
        _t(k) for k in ("col_tco2e", "col_abated", "col_abated_pct", "col_annualised", "col_energy_cost",
                        "col_net", "col_gross_t", "col_net_t")]
    classes = ["text"] + (["text"] if batch else []) + (["num"] if years else []) + ["num"] * 8
    rows = []
    total_ref = reference.kpi(KPI.tco2e_total)
    for s in scenarios:
        total = s.kpi(KPI.tco2e_total)
        cost = s.kpi(KPI.annualised_cost_krw)
        settings = ([_settings(s.run)] if batch else []) + ([str(s.run.year)] if years else [])
        if s is reference:
            rows.append([_t("reference_mark", label=s.label)] + settings + [
                number(total), "—", "—", number(cost, 0, scale=1e6), "—", "—", "—", "—"])
            continue
        h = s.headline
        share_ = h["tco2e_abated"] / total_ref if h["tco2e_abated"] is not None and total_ref else None
        rows.append([s.label] + settings + [
            number(total), number(h["tco2e_abated"]), percent(share_), number(cost, 0, scale=1e6),
            number(h["delta_energy_cost_krw"] if h.get("delta_energy_cost_krw") is not None
                   else h["delta_bill_krw"], 0, signed=True, scale=1e6),
            number(h["net_annual_cost_krw"], 0, signed=True, scale=1e6),
            number(h["krw_per_tco2e_gross"]), number(h["krw_per_tco2e_net"])])
    return _table(header, rows, classes)


def _summary_sentences(scenarios, reference):
    """A few sentences on the alternatives that abate the most."""
    alternatives = [s for s in scenarios if s is not reference and s.abated is not None]
    if not alternatives:
        return f"<p>{_e(_t('no_alternative'))}</p>"
    ranked = sorted(alternatives, key=lambda s: -s.abated)[:3]
    total_ref = reference.kpi(KPI.tco2e_total)
    items = []
    for s in ranked:
        h = s.headline
        part = _t("share_of_ref", share=percent(h["tco2e_abated"] / total_ref)) if total_ref else ""
        if h["tco2e_abated"] > 0 and h["delta_annualised_cost_krw"] == 0:
            cost = _t("no_cost")
        elif h["tco2e_abated"] > 0 and h["krw_per_tco2e_gross"] is not None:
            cost = _t("cost_per_t", gross=number(h["krw_per_tco2e_gross"]), net=number(h["krw_per_tco2e_net"]))
        else:
            cost = ""
        verb = _t("abates") if h["tco2e_abated"] >= 0 else _t("adds")
        text = _t("summary_item", label=_e(s.label), verb=verb, tonnes=_e(number(abs(h["tco2e_abated"]))),
                  share=_e(part), cost=_e(cost))
        background = h.get("tco2e_change_background")
        if s.status == "attributed" and background is not None and abs(background) >= 0.5:
            text += _e(_t("background_part", change=number(background, signed=True)))
        items.append(f"<li>{text}</li>")
    lead = _t("lead_many") if len(alternatives) > 1 else _t("lead_one")
    return f"<p>{_t('lead', lead=_e(lead), reference=_e(reference.label))}</p><ul>{''.join(items)}</ul>"


def _warnings(scenarios, reference):
    """Paragraphs on alternatives that are not like for like with the reference: other models
    (traffic, carbon account) or other complexes, whose totals therefore differ for that reason."""
    cases = {}
    for s in scenarios[1:]:
        for group in ("traffic", "emissions"):
            if (group in reference.groups) != (group in s.groups):
                cases.setdefault((group, group in reference.groups), []).append(s)
        if set(s.complexes) != set(reference.complexes):
            cases.setdefault(("complexes", None), []).append(s)
    out = []
    for (what, in_reference), found in cases.items():
        names = _results._some([s.label for s in found])
        count = _count(len(found), "scenario")
        if what == "traffic" and in_reference:
            attributed = all(s.status == "attributed" for s in found)
            text = _t("w_no_traffic_attributed" if attributed else "w_no_traffic",
                      count=count, names=names, transport=number(reference.kpi(KPI.tco2e_transport)))
        elif what == "traffic":
            text = _t("w_traffic", count=count, names=names)
        elif what == "emissions":
            text = _t("w_lack_emissions" if in_reference else "w_have_emissions", count=count, names=names)
        else:
            text = _t("w_complexes", count=count, names=names,
                      complexes=_t("list_sep").join(_complex_name(c) for c in reference.complexes))
        out.append(text)
    if not out:
        return ""
    first = next(iter(cases.values()))[0]
    out.append(_t("w_like", spec=f"{first.run.file.path.name}:{first.run.id}"))
    return "".join(f'<p class="warn">{_e(text)}</p>' for text in out)


def _synthetic(scenarios):
    sites = {s.run.site_path or "" for s in scenarios}
    weathers = {_results._yaml_scalar(s.run.scenario, "weather") or "" for s in scenarios}
    return any(p.endswith("incheon.gpkg") for p in sites) or any("synthetic" in w for w in weathers)


def _caveats(scenarios, reference):
    """The few things to know before reading any figure, for the first screen."""
    items = [_t("cav_synthetic") if _synthetic(scenarios) else _t("cav_measured")]
    alternatives = scenarios[1:]
    attributed = [s for s in alternatives if s.status == "attributed"]
    needed = [s for s in alternatives if s.status == "counterfactual_needed"]
    if attributed:
        first = attributed[0]
        items.append(_t("cav_attributed", count=_count(len(attributed), "scenario"),
                        names=_results._some([s.label for s in attributed]), first=first.label,
                        background=number(first.headline.get("tco2e_change_background"), signed=True)))
    elif alternatives and not needed:
        items.append(_t("cav_same"))
    if needed:
        items.append(_t("cav_unattributed", count=_count(len(needed), "scenario"),
                        names=_results._some([s.label for s in needed])))
    items.append(_t("cav_costs"))
    return ('<div class="caveats"><h2>' + _e(_t("h_caveats")) + "</h2><ul>"
            + "".join(f"<li>{_e(i)}</li>" for i in items) + "</ul></div>")


def _carbon_section(scenarios, detailed):
    with_emissions = [s for s in scenarios if "emissions" in s.groups]
    if not with_emissions:
        return f"<p>{_t('no_carbon')}</p>"
    rows = []
    for s in with_emissions:
        values = [s.kpi(key) for key in (KPI.tco2e_scope1, KPI.tco2e_scope2, KPI.tco2e_transport, KPI.tco2e_total)]
        rows.append([s.label] + [number(v) for v in values])
    parts = [_table(_t("carbon_cols"), rows, ["text"] + ["num"] * 4, caption=_t("carbon_caption"))]
    shown = [s for s in detailed if "emissions" in s.groups]
    tables = {s.label: s.run.emissions_by_scope() for s in shown}
    areas = list(dict.fromkeys(area for s in shown for area in tables[s.label].index))
    rows = [[_complex_name(area)] + [number(tables[s.label]["total"].get(area, np.nan)) for s in shown]
            for area in areas]
    parts.append(_table([_t("complex_col")] + [s.label for s in shown], rows, ["text"] + ["num"] * len(shown),
                        caption=_t("complex_caption")))
    from . import plots

    def draw(s, ax):
        plots.emissions_by_scope(tables[s.label], ax=ax)
        if _lang != "en":
            ax.set_title(_t("p_emissions_title", label=s.label))
            ax.set_ylabel(_t("p_emissions_axis"))
            ax.set_xticks(ax.get_xticks(), [_complex_name(a) for a in tables[s.label].drop(index="all").index])
            _relegend(ax, {_results.SCOPE_LABELS[k]: v for k, v in _t("scopes").items()}, fontsize="small")
        elif ax.get_title() == "Emissions by scope and complex":
            ax.set_title(f"Emissions by scope and complex, {s.run.id}")

    parts.append(_grid_of(shown, draw, "emissions by scope and complex", columns=2, sharey=True))
    return "\n".join(parts)


def _waterfall_section(detailed, reference):
    from . import plots

    shown = [s for s in detailed if s is not reference and "emissions" in s.groups
             and "emissions" in reference.groups]
    if not shown:
        return None
    steps = {s.label: _results.abatement_steps(reference.run, s.run) for s in shown}
    first = steps[shown[0].label]
    scopes = list(_results.SCOPES)
    rows = []
    for i, label in enumerate(first["label"]):
        last = i == len(first) - 1
        name = _t("ref_total") if i == 0 else (_t("alt_total") if last else _t("scopes")[scopes[i - 1]])
        rows.append([name] + [number(steps[s.label]["delta"].iloc[i], signed=0 < i < len(first) - 1)
                              for s in shown])
    table = _table([_t("step")] + [s.label for s in shown], rows, ["text"] + ["num"] * len(shown),
                   caption=_t("waterfall_caption"))

    def draw(s, ax):
        plots.abatement_waterfall(reference.run, s.run, ax=ax)
        if _lang == "en":
            return
        abated = reference.kpi(KPI.tco2e_total) - s.kpi(KPI.tco2e_total)
        ax.set_title(_t("p_waterfall_title", alt=s.run.id, ref=reference.run.id,
                        abated=plots.signed(abated, total=True)))
        ticks = [f"{reference.run.id}\n({_t('reference_word')})"] + [
            _t("scopes")[k].replace(" (", "\n(") for k in scopes] + [plots._wrap(s.run.id)]
        ax.set_xticks(ax.get_xticks(), ticks, fontsize="small" if len(ticks) > 5 else None)
        cut = ax.get_ylabel().endswith(", axis not from 0")
        ax.set_ylabel(_t("p_emissions_axis") + (_t("p_axis_not_0") if cut else ""))

    plot = _grid_of(shown, draw, "abatement waterfalls", columns=2, width=6.4, height=3.8)
    return table + "\n" + plot


def _energy_section(scenarios, detailed):
    from . import plots

    rows = []
    for s in scenarios:
        rows.append([s.label, number(s.kpi(KPI.annual_load_mwh)), number(s.kpi(KPI.annual_pv_mwh)),
                     percent(s.kpi(KPI.self_sufficiency)), number(s.kpi(KPI.peak_import_kw), 1, scale=1000),
                     number(s.kpi(KPI.annual_import_mwh)), number(s.kpi(KPI.annual_export_mwh)),
                     number(s.kpi(KPI.annual_fuel_mwh)), number(s.kpi(KPI.bill_krw), 0, scale=1e6)])
    parts = [_table(_t("energy_cols"), rows, ["text"] + ["num"] * 8, caption=_t("energy_caption"))]
    shown = [s for s in detailed if "energy" in s.groups]

    def draw(s, ax):
        plots.monthly_energy_balance(s.run, ax=ax)
        if _lang == "en":
            return
        ax.set_title(_t("p_monthly_title", label=s.run.id))
        ax.set_ylabel(_t("p_monthly_axis"))
        ax.set_xticks(np.arange(1, 13), _t("months"))
        _relegend(ax, _t("p_balance"), loc="upper center", bbox_to_anchor=(0.5, -0.1), fontsize="small",
                  ncols=5, frameon=False)

    if shown:
        parts.append(_grid_of(shown, draw, "monthly energy balance", columns=2, sharey=True))
    return "\n".join(parts)


def _grid_figures(s):
    """The per-feeder figures of a run's grid group, read with h5py (small arrays), and its
    non-converged hours."""
    import h5py

    names = ("undervoltage_hours", "overvoltage_hours", "overload_hours", "min_vm_pu", "max_vm_pu", "max_loading",
             "hosting_capacity_kwp")
    with h5py.File(s.run.path, "r") as f:
        g = f[f"runs/{s.run.id}/grid"]
        frame = pd.DataFrame({name: g[name][:].astype(float) for name in names if name in g},
                             index=pd.Index(list(g["feeder"].asstr()[:]), name="feeder"))
        frame["complex"] = list(g["feeder_complex"].asstr()[:]) if "feeder_complex" in g else ""
        nonconverged = int(g.attrs.get("nonconverged_hours", 0))
    for name in names:
        if name not in frame:
            frame[name] = np.nan
    frame["hours"] = frame[["undervoltage_hours", "overvoltage_hours", "overload_hours"]].sum(axis=1)
    return frame, nonconverged


def _grid_section(scenarios, detailed):
    """Voltage and loading violations per run (and, for the runs drawn in detail, per feeder), and
    the PV hosting capacity ("not computed" unless the scenario asked for it)."""
    with_grid = [s for s in scenarios if "grid" in s.groups]
    if not with_grid:
        return None
    rows, notes, figures = [], [], {}
    for s in with_grid:
        frame, nonconverged = _grid_figures(s)
        figures[s.label] = frame
        hosting = frame["hosting_capacity_kwp"]
        rows.append([s.label, number(len(frame)), number(int((frame["hours"] > 0).sum())),
                     number(frame["undervoltage_hours"].max()), number(frame["overvoltage_hours"].max()),
                     number(frame["overload_hours"].max()), number(frame["min_vm_pu"].min(), 3),
                     number(frame["max_vm_pu"].max(), 3), percent(frame["max_loading"].max()),
                     number(hosting.sum() / 1000.0, 1) if hosting.notna().any() else _t("not_computed")])
        if nonconverged:
            notes.append(_t("nonconverged", label=s.label, n=nonconverged))
    parts = [f'<p class="note">{_e(_t("grid_note"))}</p>',
             _table(_t("grid_cols"), rows, ["text"] + ["num"] * 9, caption=_t("grid_caption"))]
    parts += [f'<p class="warn">{_e(n)}</p>' for n in notes]
    for s in detailed:
        if s.label not in figures:
            continue
        frame = figures[s.label]
        bad = frame[frame["hours"] > 0].sort_values("hours", ascending=False)
        if bad.empty:
            parts.append(f"<p>{_e(_t('grid_none', label=s.label))}</p>")
            continue
        shown = bad.head(MAX_FEEDERS)
        table = [[feeder, _complex_name(r["complex"]), number(r["undervoltage_hours"]),
                  number(r["overvoltage_hours"]), number(r["overload_hours"]), number(r["min_vm_pu"], 3),
                  number(r["max_vm_pu"], 3), percent(r["max_loading"]),
                  number(r["hosting_capacity_kwp"]) if math.isfinite(r["hosting_capacity_kwp"])
                  else _t("not_computed")]
                 for feeder, r in shown.iterrows()]
        parts.append(f"<h3>{_e(_t('grid_feeders_h3', label=s.label))}</h3>")
        parts.append(_table(_t("grid_feeder_cols"), table, ["text", "text"] + ["num"] * 7))
        if len(bad) > len(shown):
            parts.append(f'<p class="note">{_e(_t("grid_more", n=len(bad) - len(shown)))}</p>')
    parts.append(f'<p class="note">{_e(_t("hosting_note"))}</p>')
    return "\n".join(parts)


def _traffic_section(scenarios):
    with_traffic = [s for s in scenarios if "traffic" in s.groups]
    if not with_traffic:
        return None
    rows = []
    for s in with_traffic:
        trucks, electric = s.kpi(KPI.truck_km), s.kpi(KPI.electric_truck_km)
        share_ = electric / trucks if trucks and electric is not None else None
        rows.append([s.label, number(s.kpi(KPI.car_km), 2, scale=1e6), number(trucks, 2, scale=1e6),
                     number(s.kpi(KPI.vehicle_hours), 0, scale=1e3), percent(share_),
                     number(s.kpi(KPI.tco2e_transport))])
    return _table(_t("traffic_cols"), rows, ["text"] + ["num"] * 5, caption=_t("traffic_caption"))


def _batch_section(files, scenarios, reference):
    """Response surfaces of each file with two or more swept settings."""
    from . import plots

    parts = []
    by_key = {(s.run.file.path, s.run.id): s for s in scenarios}
    for results_file in files:
        # Axes need numbers: a sweep of named choices (a battery strategy) has its table only.
        index = results_file.index
        parameters = [c for c in results_file.swept_columns
                      if index[c].nunique(dropna=True) > 1 and pd.api.types.is_numeric_dtype(index[c])]
        if len(parameters) < 2:
            continue
        frame = results_file.index.copy()
        frame.attrs["parameter_columns"] = parameters
        abated, net = [], []
        for run_id in frame.index:
            s = by_key.get((results_file.path, run_id))
            h = s.headline if s is not None and s.headline is not None else {}
            abated.append(h.get("tco2e_abated", np.nan) if s is not reference else 0.0)
            net.append(h.get("krw_per_tco2e_net"))
        frame["tco2e_abated"] = [np.nan if v is None else v for v in abated]
        frame["krw_per_tco2e_net"] = [np.nan if v is None else v for v in net]
        panels = [("tco2e_abated", _t("surf_abated"))]
        if frame["krw_per_tco2e_net"].notna().sum() >= 4:
            panels.append(("krw_per_tco2e_net", _t("surf_net")))
        figure, axes = _figure(len(panels), 1, 6.0, 4.6)
        for (column, label), ax in zip(panels, axes[0]):
            plots.response_surface(frame, parameters[0], parameters[1], column, ax=ax, label=label)
            if _lang != "en":
                ax.set_title(_t("surf_title", what=label.rsplit(" (", 1)[0]))
        extra = _t("batch_extra", names=", ".join(parameters[2:])) if len(parameters) > 2 else ""
        heading = _t("batch_h3", file=results_file.path.name, count=_count(len(results_file), "run"),
                     x=parameters[0], y=parameters[1], extra=extra)
        parts.append(f"<h3>{_e(heading)}</h3>")
        parts.append(_png(figure, f"response surfaces of {results_file.path.name}"))
    return "\n".join(parts) if parts else None


def _attribution_section(scenarios):
    """For each alternative drawn in detail whose background differs from the reference's: B − A
    split into the interventions, the grid factor and the rest of the background (docs/economics.md)."""
    keys = [KPI.tco2e_total, KPI.tco2e_scope1, KPI.tco2e_scope2, KPI.tco2e_transport, KPI.annual_import_mwh,
            KPI.energy_cost_krw]
    parts = []
    for s in scenarios[1:]:
        at = s.attribution or {}
        if at.get("status") == "attributed":
            rows = {(r["key"], r["complex"]): r for r in at["rows"]}
            table = []
            for key in keys:
                r = rows.get((str(key), "all"))
                if r is None:
                    continue
                table.append([_t("kpi_names").get(str(key), str(key)), r["unit"]] + [number(r[c], 0, signed=True)
                                                      for c in ("total", "interventions", "grid_factor",
                                                                "other_background")])
            text = _t("attr_text", background="; ".join(at["background"]))
            parts.append(f"<h3>{_e(s.label)}</h3><p>{_e(text)}</p>")
            parts.append(_table(_t("attr_cols"), table, ["text", "text"] + ["num"] * 4))
        elif at.get("status") == "counterfactual_needed":
            parts.append(f'<p class="warn">{_e(_t("attr_needed", label=s.label, message=at["message"]))}</p>')
    return "\n".join(parts) if parts else None


def _uncertainty_section(files):
    """P10/P50/P90 of every output of each file with /uncertainty, and its inputs ranked by their
    sensitivity (Sobol' total index or Morris mu*) on the abatement, as a bar chart."""
    import h5py

    parts = []
    for results_file in files:
        with h5py.File(results_file.path, "r") as f:
            if "uncertainty" not in f:
                continue
            u = f["uncertainty"]
            outputs = list(u["output"].asstr()[:])
            units = list(u["output_unit"].asstr()[:])
            inputs = list(u["input"].asstr()[:])
            distributions = list(u["distribution"].asstr()[:])
            p10, p50, p90 = u["p10"][:], u["p50"][:], u["p90"][:]
            method = u.attrs["method"]
            samples = len(u["sample"])
            sens = None
            if "sensitivity" in f:
                g = f["sensitivity"]
                kind = g.attrs["method"]
                measure = g["total"][:] if kind == "sobol" else g["mu_star"][:]
                sens = (kind, measure)
        parts.append(f"<h3>{_e(_t('unc_h3', file=results_file.path.name, n=samples, method=method))}</h3>")
        parts.append(_table(_t("unc_inputs"), list(zip(inputs, distributions)), ["text", "text"]))
        rows = [[o, un, number(a, 2 if abs(a) < 10 else 0), number(b, 2 if abs(b) < 10 else 0),
                 number(c, 2 if abs(c) < 10 else 0)] for o, un, a, b, c in zip(outputs, units, p10, p50, p90)]
        parts.append(_table(_t("unc_outputs"), rows, ["text", "text", "num", "num", "num"]))
        if sens is not None:
            kind, measure = sens
            o = outputs.index("tco2e_abated") if "tco2e_abated" in outputs else outputs.index("tco2e_total")
            values = np.nan_to_num(measure[o], nan=0.0)
            order = np.argsort(values)
            figure, axes = _figure(1, 1, 7.5, 0.5 + 0.45 * len(inputs))
            ax = axes[0][0]
            ax.barh([inputs[i] for i in order], values[order], color="#3b7dd8")
            ax.set_xlabel(_t("sobol") if kind == "sobol" else _t("morris"))
            ax.set_title(_t("moves", output=outputs[o]))
            parts.append(_png(figure, f"inputs ranked by their effect on {outputs[o]}"))
    return "\n".join(parts) if parts else None


def _macc_section(files):
    """The marginal abatement cost curve of each file with /macc: bars as wide as the tonnes each
    intervention abates alone, as high as its net cost per tonne, cheapest first."""
    import h5py

    parts = []
    for results_file in files:
        with h5py.File(results_file.path, "r") as f:
            if "macc" not in f:
                continue
            m = f["macc"]
            names = list(m["intervention"].asstr()[:])
            abated = m["tco2e_abated"][:]
            net = m["net_annual_cost_krw"][:]
            per_tonne = m["krw_per_tco2e_net"][:]
        rows = [[n, number(a), number(c, 0, signed=True, scale=1e6), number(p) if np.isfinite(p) else _t("na")]
                for n, a, c, p in zip(names, abated, net, per_tonne)]
        parts.append(f"<h3>{_e(results_file.path.name)}</h3>")
        parts.append(_table(_t("macc_cols"), rows, ["text", "num", "num", "num"]))
        curve = [(n, a, p) for n, a, p in zip(names, abated, per_tonne)
                 if n not in ("package", "interaction") and a > 0 and np.isfinite(p)]
        if curve:
            figure, axes = _figure(1, 1, 9.0, 4.2)
            ax = axes[0][0]
            left = 0.0
            for name, width, height in curve:
                ax.bar(left, height, width=width, align="edge", color="#2e8b57" if height < 0 else "#d2691e",
                       edgecolor="white")
                ax.text(left + width / 2, height, name.split(".")[-1], ha="center",
                        va="bottom" if height >= 0 else "top", fontsize=8)
                left += width
            ax.axhline(0, color="#444", linewidth=0.8)
            ax.set_xlabel(_t("macc_x"))
            ax.set_ylabel(_t("macc_y"))
            parts.append(_png(figure, "marginal abatement cost curve"))
    return "\n".join(parts) if parts else None


def _notes_section(scenarios, files, reference, detailed, alternatives):
    items = []
    sites = sorted({s.run.site_path or _t("na") for s in scenarios})
    weathers = sorted({_results._yaml_scalar(s.run.scenario, "weather") or _t("na") for s in scenarios})
    text = _t("n_layout", sites=", ".join(sites), weathers=", ".join(weathers))
    if _synthetic(scenarios):
        text += _t("n_synthetic")
    items.append(text)
    factors = {}
    for s in scenarios:
        attrs = s.run.file.run_group_attrs.get(s.run.id, {}).get("emissions")
        if attrs is not None:
            key = (number(float(attrs["grid_t_per_mwh"]), 4), attrs.get("factors", _t("na")))
            factors.setdefault(key, []).append(s.label)
    if factors:
        shown = [_t("n_factor_item", factor=factor, path=path, labels=_results._some(labels))
                 for (factor, path), labels in factors.items()]
        items.append(_t("n_factor", items="; ".join(shown)))
    items.append(_t("n_definitions"))
    if alternatives > len(detailed) - 1:
        items.append(_t("n_detailed", n=alternatives, shown=len(detailed) - 1,
                        names=", ".join(s.label for s in detailed[1:])))
    for results_file in files:
        names = sorted({run.scenario_name for run in results_file})
        items.append(_t("n_file", file=results_file.path.name, count=_count(len(results_file), "run"),
                        names=", ".join(names), created=results_file.created or _t("na"),
                        version=results_file.sandan_version or _t("na"),
                        command=results_file.command or _t("n_no_command")))
    notes = [f"{s.label}: {note}" for s in scenarios for note in s.run.notes]
    if notes:
        items.append(_t("n_run_notes", notes="; ".join(notes)))
    items.append(_t("n_reference", label=reference.label, spec=reference.run.spec,
                    when=datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")))
    return "<ul>" + "".join(f"<li>{_e(item)}</li>" for item in items) + "</ul>"


_CSS = """
body { font-family: %(font)s; margin: 2em auto; max-width: 1320px;
       padding: 0 1.5em; color: #222; line-height: 1.45; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; } h2 { border-bottom: 2px solid #ddd; padding-bottom: 0.2em;
margin-top: 2em; } h3 { font-size: 1.05em; }
.sub { color: #555; margin-top: 0; }
table { border-collapse: collapse; margin: 0.8em 0 1.2em; font-size: 0.9em; }
caption { text-align: left; color: #555; padding-bottom: 0.3em; font-style: italic; }
th, td { border-bottom: 1px solid #e2e2e2; padding: 0.3em 0.7em; vertical-align: top; }
th { background: #f3f3f3; font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td.num { white-space: nowrap; }
th.num { max-width: 9em; }
td.text, th.text { text-align: left; }
tbody tr:nth-child(even) { background: #fafafa; }
img { max-width: 100%%; height: auto; display: block; margin: 0.5em 0 1em; }
.note { color: #555; font-size: 0.9em; }
.warn { background: #fff4d6; border-left: 4px solid #e0a800; padding: 0.5em 0.8em; }
.caveats { background: #eef4fb; border-left: 4px solid #3b7dd8; padding: 0.1em 1em 0.3em; margin: 1em 0; }
.caveats h2 { border: none; margin-top: 0.5em; font-size: 1.15em; }
"""
_FONT_STACK = '"Noto Sans", "DejaVu Sans", Arial, sans-serif'


def build_report(scenarios, files, title=None, lang="en"):
    """The report's HTML text in `lang` (a key of STRINGS). `scenarios[0]` is the reference; the
    others get their headline from `sandan.compare` against it."""
    import matplotlib

    global _lang
    if lang not in STRINGS:
        raise _results._bad_input(f"--lang {lang}: no such language; choose one of {', '.join(LANGUAGES)}")
    previous, _lang = _lang, lang
    try:
        with matplotlib.rc_context(_plot_fonts(lang)), warnings.catch_warnings():
            # A glyph missing from the plots' fonts would draw a box: fail instead of drawing it.
            warnings.filterwarnings("error", message=r"Glyph .* missing from")
            return _build(scenarios, files, title)
    finally:
        _lang = previous


def _build(scenarios, files, title):
    reference = scenarios[0]
    _headlines(scenarios, reference)
    alternatives = [s for s in scenarios[1:]]
    if len(alternatives) <= MAX_DETAILED:
        chosen = alternatives
    else:
        chosen = sorted(alternatives, key=lambda s: -(s.abated if s.abated is not None else -math.inf))
        chosen = sorted(chosen[:DETAILED_OF_MANY], key=alternatives.index)
    for s in chosen:
        if (s.attribution or {}).get("derived"):
            _compare(reference, s)  # the attribution's rows, for the runs drawn in detail
    detailed = [reference] + chosen
    batch = any(s.run.parameters for s in scenarios)
    complexes = _t("list_sep").join(_complex_name(c) for c in reference.complexes)
    title = title or _t("title")

    body = [f"<h1>{_e(title)}</h1>",
            '<p class="sub">' + _t("sub", count=_e(_count(len(scenarios) - 1, "scenario")),
                                   reference=_e(reference.label), year=_e(reference.run.year or _t("na")),
                                   complexes=_e(complexes)) + "</p>",
            _caveats(scenarios, reference),
            f"<h2>{_e(_t('h_headline'))}</h2>", _warnings(scenarios, reference),
            _summary_sentences(scenarios, reference), _headline_section(scenarios, reference, batch),
            f'<p class="note">{_e(_t("headline_note"))}</p>',
            f"<h2>{_e(_t('h_scenarios'))}</h2>", _scenarios_section(scenarios, files)]
    surfaces = _batch_section(files, scenarios, reference)
    if surfaces:
        body += [f"<h2>{_e(_t('h_batch'))}</h2>", f'<p class="note">{_e(_t("batch_note"))}</p>', surfaces]
    attribution = _attribution_section([reference] + chosen)
    if attribution:
        body += [f"<h2>{_e(_t('h_attribution'))}</h2>", attribution]
    uncertainty = _uncertainty_section(files)
    if uncertainty:
        body += [f"<h2>{_e(_t('h_uncertainty'))}</h2>", f'<p class="note">{_e(_t("unc_note"))}</p>', uncertainty]
    macc = _macc_section(files)
    if macc:
        body += [f"<h2>{_e(_t('h_macc'))}</h2>", f'<p class="note">{_e(_t("macc_note"))}</p>', macc]
    body += [f"<h2>{_e(_t('h_carbon'))}</h2>", _carbon_section(scenarios, detailed)]
    waterfalls = _waterfall_section(detailed, reference)
    if waterfalls:
        body += [f"<h2>{_e(_t('h_waterfall'))}</h2>", f'<p class="note">{_e(_t("waterfall_note"))}</p>', waterfalls]
    body += [f"<h2>{_e(_t('h_energy'))}</h2>", _energy_section(scenarios, detailed)]
    grid = _grid_section(scenarios, detailed)
    if grid:
        body += [f"<h2>{_e(_t('h_grid'))}</h2>", grid]
    traffic = _traffic_section(scenarios)
    if traffic:
        body += [f"<h2>{_e(_t('h_traffic'))}</h2>", traffic]
    body += [f"<h2>{_e(_t('h_notes'))}</h2>",
             _notes_section(scenarios, files, reference, detailed, len(alternatives))]
    text = "\n".join(body)
    # The font, subset to the characters of the text (the images' base64 is ASCII, in every subset).
    faces, family = _font_face(_lang, re.sub(r'src="data:[^"]*"', "", text) + title)
    font = f'"{family}", {_FONT_STACK}' if family else _FONT_STACK
    return (f"<!DOCTYPE html>\n<html lang=\"{_t('html_lang')}\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<title>{_e(title)}</title>\n<style>{faces}\n{_CSS % {'font': font}}{_t('css')}\n</style>\n"
            "</head>\n<body>\n"
            + text + "\n</body>\n</html>\n")


def _same_file(a, b):
    """Whether two paths name one file: by identity when both exist, else by their resolved paths."""
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.realpath(a) == os.path.realpath(b)


def check_output(output, inputs):
    """Why the report may not be written to `output` (an input results file, or an existing folder,
    device or FIFO), or None when it may (docs/reliability.md, "Outputs, signals and locks")."""
    output = Path(output)
    for name in inputs:
        if _same_file(output, name):
            return (f"{output}: the output is the results file {name}, an input of this report: writing "
                    "the report would destroy it; choose another output, e.g. -o report.html")
    if output.exists() and not output.is_file():
        kind = "a folder" if output.is_dir() else "not a regular file (a device, a FIFO or a socket)"
        return f"{output}: exists and is {kind}; the report would replace it: choose a file name"
    return None


def write_atomically(path, text):
    """Write text to `path` through a temporary file in the same folder, renamed when complete."""
    path = Path(path)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent or ".")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        # mkstemp makes the file private; a report is as readable as any file the user writes.
        mask = os.umask(0)
        os.umask(mask)
        os.chmod(temporary, 0o666 & ~mask)
        # Only a regular file is ever replaced: not a device, a FIFO or a folder made meanwhile.
        if path.exists() and not path.is_file():
            raise IsADirectoryError(0, "exists and is not a regular file; not replaced", str(path))
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


def main(argv=None):
    """The command line; returns the exit code."""
    parser = argparse.ArgumentParser(
        prog="python3 -m sandan.report",
        description="Write one self-contained HTML report of sandan results files: every run is a "
                    "scenario compared with the reference.")
    parser.add_argument("files", nargs="+", metavar="RESULTS.h5", help="results files of `sandan run`")
    parser.add_argument("-o", "--output", required=True, metavar="REPORT.html", help="the HTML file to write")
    parser.add_argument("--reference", metavar="FILE[:RUN]",
                        help="the reference run (default: the first run of the first file)")
    parser.add_argument("--title", help="the report's title")
    parser.add_argument("--lang", default="en", metavar="LANG",
                        help=f"the report's language: {', '.join(LANGUAGES)} (default en)")
    args = parser.parse_args(argv)

    if args.lang not in STRINGS:
        print(f"sandan report: error: --lang {args.lang}: no such language; choose one of "
              f"{', '.join(LANGUAGES)} (e.g. --lang ko)", file=sys.stderr)
        return 2

    output = Path(args.output)
    refused = check_output(output, [name.split(":", 1)[0] if not os.path.exists(name) else name
                                    for name in args.files + ([args.reference] if args.reference else [])])
    if refused:
        print(f"sandan report: error: {refused}", file=sys.stderr)
        return 2
    if not output.parent.is_dir():
        print(f"sandan report: error: {output}: cannot write (no folder {output.parent})", file=sys.stderr)
        return 3
    files = []
    try:
        try:
            _font_paths(args.lang)  # a missing font fails before any input is read
            scenarios = _open_inputs(args.files, args.reference, files)
            text = build_report(scenarios, files, args.title, args.lang)
        finally:
            for results_file in files:
                results_file.close()
    except sandan.BadInputError as error:
        print(f"sandan report: error: {error}", file=sys.stderr)
        return 2
    except sandan.IoError as error:
        print(f"sandan report: error: {error}", file=sys.stderr)
        return 3
    except Exception as error:  # noqa: BLE001 - reported as the command line's internal error
        traceback.print_exc()
        print(f"sandan report: internal error: {error}", file=sys.stderr)
        return 4
    try:
        write_atomically(output, text)
    except OSError as error:
        print(f"sandan report: error: {output}: cannot write ({error.strerror or error})", file=sys.stderr)
        return 3
    print(f"sandan report: wrote {output} ({plural(len(scenarios), 'run')}, reference {scenarios[0].label}, "
          f"{args.lang}, {len(text.encode('utf-8')) / 1e6:.1f} MB)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

// The control-centre view of sandan results: a MapLibre map of the complexes' own layers (no basemap,
// nothing fetched from outside), coloured by the hour's values from the local `sandan serve` API.
import {
  t, WEEKDAYS, MONTHS, alarmKind, kpiLabel, complexName, facilityName, gateName, roadClassName, unitLabel,
} from './i18n.js';

const maplibregl = window.maplibregl;

const LAYERS = ['facilities', 'feeders', 'roads'];
const NODATA = '#3b4456';
const SEQ = ['#1d3b6e', '#2a788e', '#22a884', '#7ad151', '#fde725'];
const DIV = ['#2166ac', '#92c5de', '#f7f7f7', '#f4a582', '#b2182b'];
const LOADING_RAMP = ['#1a9850', '#a6d96a', '#fee08b', '#f46d43', '#a50026'];
const FRAME_CACHE_MAX = 400;

// ---- state -------------------------------------------------------------------------------------
const state = {
  hour: 0,
  run: null,          // the run shown (B in difference mode)
  base: null,         // A in difference mode, else null
  quantity: 'load_kw',
  feederQuantity: 'loading',
  roadQuantity: 'flow',
  lang: 'ko',
  speed: 1,
  playing: false,
  visible: { facilities: true, feeders: true, roads: true, points: true },
  selected: null,     // {layer, feature}
  chartRange: 'day',
  chartQuantity: null,
  kpiComplex: 'all',
  shownHour: null,    // the hour whose colours are on the map
};

let meta = null;
let layout = null;
let layoutSite = null;
let map = null;
let alarms = [];
let alarmTotals = null;
let kpis = null;
let markers = [];
const counts = {};
const current = { facilities: null, feeders: null, roads: null };   // values on the map
const currentUnit = { facilities: '', feeders: '', roads: '' };
const frameCache = new Map();
const scaleCache = new Map();
const highlighted = [];
let frameToken = 0;
let hoverPopup = null;
let resolveReady;
let rejectReady;
const ready = new Promise((res, rej) => { resolveReady = res; rejectReady = rej; });

window.sandanView = {
  ready,
  state,
  map: null,
  get layout() { return layout; },
  counts: () => ({ ...counts, ...renderedCounts() }),
  // the values on the map for a layer (a copy), and the colour stops in use
  values: (layer) => (current[layer] ? Array.from(current[layer]) : null),
  stops: (layer) => (colourStops[layer] ? colourStops[layer].map((s) => [...s]) : null),
};
const colourStops = {};
// The shift change's dynamic loading (docs/view.md, "Shift change"): when shown, the roads are coloured
// by their queue at a report step of the workday window instead of by the hour's value.
const dyn = { on: false, step: 0, data: null, run: null, playing: false, frames: new Map() };

// ---- helpers -----------------------------------------------------------------------------------
const $ = (sel) => document.querySelector(sel);
const $$ = (sel) => Array.from(document.querySelectorAll(sel));
const runInfo = (id) => meta.runs.find((r) => r.id === id);
const L = (obj) => (obj ? obj[state.lang] ?? obj.en ?? obj.ko ?? '' : '');
const esc = (s) => String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));

async function getJSON(url) {
  const r = await fetch(url);
  if (!r.ok) {
    let msg = `${r.status}`;
    try { msg = (await r.json()).error || msg; } catch { /* not JSON */ }
    throw new Error(`${url}: ${msg}`);
  }
  return r.json();
}

function qs(params) {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== null && v !== undefined) u.set(k, v);
  return u.toString();
}

function quantityList(layer, runId = state.run) {
  const r = runInfo(runId);
  const list = (meta.quantities && meta.quantities[layer]) || [];
  return list.filter((q) => {
    if (q.key === 'battery_soc' && r && r.has_battery === false) return false;
    if (layer === 'feeders' && r && r.has_grid === false) return false;
    if (layer === 'roads' && r && r.has_traffic === false) return false;
    return true;
  });
}
const quantityOf = (layer) => (layer === 'facilities' ? state.quantity : layer === 'feeders' ? state.feederQuantity : state.roadQuantity);
const quantityInfo = (layer, key) => ((meta.quantities && meta.quantities[layer]) || []).find((q) => q.key === key);
const hasLayer = (layer) => quantityList(layer).some((q) => q.key === quantityOf(layer));

// Numbers: shares in percent (except v/c), large numbers compact, differences signed.
function fmt(v, unit, key, signed = false) {
  if (v === null || v === undefined || Number.isNaN(v)) return '—';
  const locale = state.lang === 'ko' ? 'ko-KR' : 'en-GB';
  let x = v;
  let u = unitLabel(unit, state.lang);
  if ((unit === '1' || unit === 'share' || unit === '') && key !== 'vc') { x = v * 100; u = '%'; }
  if ((unit === '1' || unit === 'share') && key === 'vc') u = '';
  const a = Math.abs(x);
  const opts = { maximumFractionDigits: a >= 100 ? 0 : a >= 10 ? 1 : a >= 1 ? 2 : 3 };
  if (a >= 1e6) { opts.notation = 'compact'; opts.maximumFractionDigits = 1; }
  if (signed) opts.signDisplay = 'exceptZero';
  const s = new Intl.NumberFormat(locale, opts).format(x);
  return u ? `${s} ${u}` : s;
}

// ---- time --------------------------------------------------------------------------------------
function startMs(runId = state.run) {
  const r = runInfo(runId);
  const s = (r && r.start) || `${(r && r.year) || 2026}-01-01`;
  const [y, m, d] = s.split('-').map(Number);
  return Date.UTC(y, m - 1, d);
}
const hoursOf = (runId = state.run) => (runInfo(runId) && runInfo(runId).hours) || 8760;
function hourDate(h) { return new Date(startMs() + h * 3600e3); }   // the date's UTC fields are KST
function hourText(h) {
  const d = hourDate(h);
  const p = (n) => String(n).padStart(2, '0');
  const date = `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())}`;
  return `${date} (${WEEKDAYS[state.lang][d.getUTCDay()]}) ${p(d.getUTCHours())}:00 KST`;
}

// ---- map ---------------------------------------------------------------------------------------
function buildMap() {
  map = new maplibregl.Map({
    container: 'map',
    style: {
      version: 8,
      sources: {},
      layers: [{ id: 'background', type: 'background', paint: { 'background-color': '#0e1726' } }],
    },
    center: [126.68, 37.49],
    zoom: 12,
    attributionControl: false,
    canvasContextAttributes: { preserveDrawingBuffer: true },
    preserveDrawingBuffer: true,
    maxPitch: 0,
    dragRotate: false,
  });
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'top-right');
  map.addControl(new maplibregl.ScaleControl({ unit: 'metric' }), 'bottom-left');
  window.sandanView.map = map;
  map.on('moveend', () => declutterLabels());
  return new Promise((res) => map.on('load', res));
}

function fcOrEmpty(fc) { return fc && fc.features ? fc : { type: 'FeatureCollection', features: [] }; }

function addLayout() {
  for (const id of ['complexes', 'facilities', 'roads', 'feeders', 'substations', 'gates']) {
    const data = fcOrEmpty(layout[id]);
    counts[id] = data.features.length;
    if (map.getSource(id)) map.getSource(id).setData(data);
    else map.addSource(id, { type: 'geojson', data });
  }
  if (map.getLayer('complexes-fill')) return;
  map.addLayer({ id: 'complexes-fill', type: 'fill', source: 'complexes',
    paint: { 'fill-color': ['match', ['get', 'role'], 'hub', '#173152', '#142640'], 'fill-opacity': 0.85 } });
  map.addLayer({ id: 'complexes-outline', type: 'line', source: 'complexes',
    paint: { 'line-color': ['match', ['get', 'role'], 'hub', '#7dd3fc', '#64748b'], 'line-width': 2, 'line-dasharray': [3, 1.5] } });
  map.addLayer({ id: 'roads-line', type: 'line', source: 'roads',
    layout: { 'line-cap': 'round', 'line-join': 'round' },
    paint: {
      'line-color': '#64748b',
      'line-width': ['interpolate', ['linear'], ['zoom'],
        11, ['match', ['get', 'road_class'], ['external', 'arterial'], 1.6, 'collector', 1, 0.6],
        16, ['match', ['get', 'road_class'], ['external', 'arterial'], 6, 'collector', 4, 2.5]],
    } });
  map.addLayer({ id: 'facilities-fill', type: 'fill', source: 'facilities', paint: { 'fill-color': NODATA, 'fill-opacity': 0.92 } });
  map.addLayer({ id: 'facilities-outline', type: 'line', source: 'facilities',
    paint: {
      'line-color': ['case', ['boolean', ['feature-state', 'hl'], false], '#ffffff', '#0b1220'],
      'line-width': ['case', ['boolean', ['feature-state', 'hl'], false], 3, 0.4],
    } });
  map.addLayer({ id: 'feeders-line', type: 'line', source: 'feeders',
    layout: { 'line-cap': 'round', 'line-join': 'round' },
    paint: {
      'line-color': '#a78bfa',
      'line-width': ['interpolate', ['linear'], ['zoom'],
        11, ['case', ['boolean', ['feature-state', 'hl'], false], 5, 1.2],
        16, ['case', ['boolean', ['feature-state', 'hl'], false], 9, 4]],
    } });
  map.addLayer({ id: 'hl-roads', type: 'line', source: 'roads',
    filter: ['==', ['id'], -1],
    paint: { 'line-color': '#ffffff', 'line-width': 8, 'line-opacity': 0.5 } }, 'facilities-fill');
  map.addLayer({ id: 'substations-circle', type: 'circle', source: 'substations',
    paint: { 'circle-radius': 7, 'circle-color': '#facc15', 'circle-stroke-color': '#0b1220', 'circle-stroke-width': 2 } });
  map.addLayer({ id: 'gates-circle', type: 'circle', source: 'gates',
    paint: { 'circle-radius': 5, 'circle-color': '#f472b6', 'circle-stroke-color': '#0b1220', 'circle-stroke-width': 1.5 } });

  hoverPopup = new maplibregl.Popup({ closeButton: false, closeOnClick: false, maxWidth: '280px', offset: 8 });
  for (const layerId of ['facilities-fill', 'feeders-line', 'roads-line', 'substations-circle', 'gates-circle']) {
    map.on('mousemove', layerId, (e) => {
      map.getCanvas().style.cursor = 'pointer';
      const f = e.features && e.features[0];
      if (f) hoverPopup.setLngLat(e.lngLat).setHTML(popupHTML(f.source, f.id)).addTo(map);
    });
    map.on('mouseleave', layerId, () => { map.getCanvas().style.cursor = ''; hoverPopup.remove(); });
  }
  map.on('click', 'facilities-fill', (e) => { const f = e.features[0]; select('facilities', f.id); openChart('facilities', f.id); });
  map.on('click', 'feeders-line', (e) => { const f = e.features[0]; select('feeders', f.id); openChart('feeders', f.id); });
}

function featureProps(layer, id) {
  const fc = layout && layout[layer];
  const f = fc && fc.features[id];
  return f ? f.properties || {} : {};
}

function complexById(id) { return meta.complexes.find((c) => c.id === id); }

function featureName(layer, id) {
  const p = featureProps(layer, id);
  switch (layer) {
    case 'facilities': return facilityName(p, complexById(p.complex), state.lang);
    case 'feeders': return `${t(state.lang, 'featureFeeder')} ${p.id ?? id}`;
    case 'roads': return `${t(state.lang, 'featureRoad')} ${p.id ?? id} (${roadClassName(p.road_class, state.lang)})`;
    case 'complexes': return complexName(meta.complexes[id] || p, state.lang);
    case 'gates': return gateName(p, state.lang);
    case 'substations': return `${t(state.lang, 'substations')} ${p.id ?? id}`;
    default: return String(p.id ?? id);
  }
}

function popupHTML(layer, id) {
  const p = featureProps(layer, id);
  const lines = [`<div class="popup-title">${esc(featureName(layer, id))}</div>`];
  if (LAYERS.includes(layer) && current[layer] && state.visible[layer]) {
    const q = quantityOf(layer);
    const qi = quantityInfo(layer, q);
    const v = current[layer][id];
    lines.push(`<div class="popup-val">${state.base ? 'B − A ' : ''}${esc(L(qi && qi.label))}: ${esc(fmt(v, currentUnit[layer] || (qi && qi.unit), q, !!state.base))}</div>`);
  }
  if (layer === 'facilities') {
    if (p.ksic) lines.push(`<div>${esc(t(state.lang, 'ksic'))}: ${esc(p.ksic)}</div>`);
    if (p.employees !== undefined) lines.push(`<div>${esc(t(state.lang, 'employees'))}: ${esc(p.employees)}</div>`);
  } else if (layer === 'feeders') {
    lines.push(`<div>${esc(t(state.lang, 'feeder'))}: ${esc(p.feeder)} (${esc(p.from_bus)} → ${esc(p.to_bus)})</div>`);
  } else if (layer === 'roads') {
    if (p.lanes !== undefined) lines.push(`<div>${esc(t(state.lang, 'lanes'))}: ${esc(p.lanes)}</div>`);
  } else if (layer === 'substations') {
    lines.push(`<div>${esc(p.voltage_kv)} kV · ${esc(p.capacity_mva)} MVA</div>`);
  } else if (layer === 'gates') {
    lines.push(`<div>${esc(t(state.lang, 'kind'))}: ${esc(p.kind)}</div>`);
  }
  return lines.join('');
}

function renderLabels() {
  for (const m of markers) m.remove();
  markers = [];
  for (const f of fcOrEmpty(layout.complexes).features) {
    const p = f.properties || {};
    const el = document.createElement('div');
    el.className = `complex-label ${p.role === 'hub' ? 'hub' : ''}`;
    el.dataset.complex = p.id;
    el.textContent = complexName(p, state.lang);
    const at = p.label || centroid(f.geometry);
    markers.push(new maplibregl.Marker({ element: el }).setLngLat(at).addTo(map));
  }
  declutterLabels();
}

// Complex names that would overlap (adjacent complexes) are moved down until they do not.
function declutterLabels() {
  const placed = [];
  const items = markers.map((m) => { m.setOffset([0, 0]); return { m, r: m.getElement().getBoundingClientRect() }; });
  items.sort((a, b) => a.r.top - b.r.top);
  for (const it of items) {
    let dy = 0;
    const hit = () => placed.find((p) => it.r.left < p.right && it.r.right > p.left && it.r.top + dy < p.bottom && it.r.bottom + dy > p.top);
    for (let k = 0; k < 6; k++) {
      const p = hit();
      if (!p) break;
      dy = p.bottom - it.r.top + 2;
    }
    it.m.setOffset([0, dy]);
    placed.push({ left: it.r.left, right: it.r.right, top: it.r.top + dy, bottom: it.r.bottom + dy });
  }
}

function centroid(g) {
  let x = 0; let y = 0; let n = 0;
  const polys = g.type === 'Polygon' ? [g.coordinates] : g.coordinates;
  for (const poly of polys) for (const [a, b] of poly[0]) { x += a; y += b; n += 1; }
  return [x / n, y / n];
}

function renderedCounts() {
  if (!map || !map.getLayer('facilities-fill')) return {};
  const out = {};
  const pairs = { complexes: 'complexes-fill', facilities: 'facilities-fill', roads: 'roads-line', feeders: 'feeders-line', substations: 'substations-circle', gates: 'gates-circle' };
  for (const [src, layer] of Object.entries(pairs)) {
    const ids = new Set(map.queryRenderedFeatures({ layers: [layer] }).map((f) => f.id));
    out[`rendered_${src}`] = ids.size;
  }
  out.labels = $$('.complex-label').length;
  return out;
}

// ---- colours -----------------------------------------------------------------------------------
async function getScale(layer, q) {
  const key = `${state.run}|${state.base}|${layer}|${q}`;
  if (!scaleCache.has(key)) scaleCache.set(key, getJSON(`/api/scale?${qs({ run: state.run, layer, quantity: q, base: state.base })}`));
  return scaleCache.get(key);
}

function ramp(colours, lo, hi) {
  if (!(hi > lo)) hi = lo + 1;
  return colours.map((c, i) => [lo + ((hi - lo) * i) / (colours.length - 1), c]);
}

// Fixed stops per layer and quantity for the whole year: what a colour means does not change while the
// slider moves.
function stopsFor(layer, q, sc) {
  const lim = meta.limits || {};
  if (state.base) {
    let m = Math.max(Math.abs(sc.min), Math.abs(sc.max));
    if (Number.isFinite(sc.p98) && Math.abs(sc.p98) >= 0.05 * m) m = Math.abs(sc.p98);
    if (!(m > 0)) m = 1;
    return ramp(DIV, -m, m);
  }
  if (layer === 'feeders' && q === 'loading') {
    const ml = lim.max_loading || 1;
    return [[0, LOADING_RAMP[0]], [0.5 * ml, LOADING_RAMP[1]], [0.8 * ml, LOADING_RAMP[2]], [ml, LOADING_RAMP[3]], [1.2 * ml, LOADING_RAMP[4]]];
  }
  if (layer === 'feeders' && q === 'voltage') {
    const lo = lim.vmin_pu || 0.95; const hi = lim.vmax_pu || 1.05;
    return [[lo - 0.03, '#313695'], [lo, '#4575b4'], [(lo + 1) / 2, '#abd9e9'], [1, '#f7f7f7'], [(1 + hi) / 2, '#fdae61'], [hi, '#d73027'], [hi + 0.03, '#67001f']];
  }
  if (layer === 'roads' && q === 'vc') {
    const a = lim.vc_alarm || 0.9;
    return [[0, LOADING_RAMP[0]], [0.5 * a, LOADING_RAMP[1]], [0.8 * a, LOADING_RAMP[2]], [a, LOADING_RAMP[3]], [Math.max(1.1, a + 0.1), LOADING_RAMP[4]]];
  }
  if (q === 'self_sufficiency' || q === 'battery_soc') return ramp(SEQ, 0, 1);
  const lo = Number.isFinite(sc.min) ? Math.min(0, sc.min) : 0;
  let hi = Number.isFinite(sc.p98) && sc.p98 > lo ? sc.p98 : sc.max;
  if (!(hi > lo)) hi = lo + 1;
  return ramp(SEQ, lo, hi);
}

function colourExpr(stops, fallback) {
  const interp = ['interpolate', ['linear'], ['to-number', ['feature-state', 'v'], 0]];
  for (const [v, c] of stops) interp.push(v, c);
  return ['case', ['boolean', ['feature-state', 'ok'], false], interp, fallback];
}

let colourToken = 0;
async function applyColours() {
  const token = ++colourToken;
  const jobs = LAYERS.map(async (layer) => {
    if (layer === 'roads' && dyn.on && dyn.data) {
      const hi = Math.max(50, Math.ceil(dyn.data.max_queue_m / 10) * 10);
      colourStops.roads = ramp(LOADING_RAMP, 0, hi);
      currentUnit.roads = 'm';
      map.setPaintProperty('roads-line', 'line-color', colourExpr(colourStops.roads, '#334155'));
      return;
    }
    if (!hasLayer(layer)) { colourStops[layer] = null; return; }
    const q = quantityOf(layer);
    const sc = await getScale(layer, q);
    if (token !== colourToken) return;   // a newer choice of runs or quantities is being drawn
    const stops = stopsFor(layer, q, sc);
    colourStops[layer] = stops;
    currentUnit[layer] = sc.unit ?? (quantityInfo(layer, q) || {}).unit;
    if (layer === 'facilities') map.setPaintProperty('facilities-fill', 'fill-color', colourExpr(stops, NODATA));
    if (layer === 'feeders') map.setPaintProperty('feeders-line', 'line-color', colourExpr(stops, '#4b5563'));
    if (layer === 'roads') map.setPaintProperty('roads-line', 'line-color', colourExpr(stops, '#334155'));
  });
  await Promise.all(jobs);
  if (token === colourToken) renderLegends();
}

// ---- frames ------------------------------------------------------------------------------------
async function getFrame(layer, q, hour) {
  const qi = quantityInfo(layer, q);
  const h = qi && qi.per === 'year' ? 0 : hour;
  const key = `${state.run}|${state.base}|${layer}|${q}|${h}`;
  if (frameCache.has(key)) {
    const v = frameCache.get(key);
    frameCache.delete(key); frameCache.set(key, v);
    return v;
  }
  const p = (async () => {
    const r = await fetch(`/api/frame?${qs({ run: state.run, layer, quantity: q, hour: h, base: state.base })}`);
    if (!r.ok) throw new Error(`frame ${layer} ${q} ${h}: ${r.status}`);
    return new Float32Array(await r.arrayBuffer());
  })();
  frameCache.set(key, p);
  p.catch(() => frameCache.delete(key));
  while (frameCache.size > FRAME_CACHE_MAX) frameCache.delete(frameCache.keys().next().value);
  return p;
}

function applyFrame(layer, values) {
  current[layer] = values;
  const n = Math.min(values.length, counts[layer] || 0);
  for (let i = 0; i < n; i++) {
    const v = values[i];
    const ok = !Number.isNaN(v);
    map.setFeatureState({ source: layer, id: i }, { v: ok ? v : 0, ok });
  }
}

function waitIdle() {
  return new Promise((res) => {
    map.once('idle', res);
    map.triggerRepaint();
  });
}

// Fetches the hour's frames of the visible layers and colours the map; the newest call wins.
async function updateFrames() {
  const token = ++frameToken;
  const hour = state.hour;
  const layers = LAYERS.filter((l) => state.visible[l] && (hasLayer(l) || (l === 'roads' && dyn.on)));
  const vals = await Promise.all(layers.map((l) => (l === 'roads' && dyn.on ? dynamicFrame(dyn.step) : getFrame(l, quantityOf(l), hour))));
  if (token !== frameToken) return false;
  layers.forEach((l, i) => applyFrame(l, vals[i]));
  await waitIdle();
  if (token !== frameToken) return false;
  state.shownHour = hour;
  document.body.dataset.shownHour = String(hour);
  return true;
}

function prefetch(hour) {
  for (const l of LAYERS) if (state.visible[l] && hasLayer(l)) getFrame(l, quantityOf(l), hour).catch(() => {});
}

// ---- time controls -----------------------------------------------------------------------------
function renderHour() {
  const el = $('#hour-label');
  el.textContent = hourText(state.hour);
  el.dataset.hour = String(state.hour);
  const s = $('#hour-slider');
  s.max = String(hoursOf() - 1);
  if (Number(s.value) !== state.hour) s.value = String(state.hour);
}

async function setHour(h) {
  const n = hoursOf();
  state.hour = ((Math.round(h) % n) + n) % n;
  renderHour();
  const done = updateFrames().catch(showError);
  if (!$('#chart-panel').hidden) markChartHour();
  return done;
}

async function playLoop() {
  while (state.playing) {
    const next = (state.hour + state.speed) % hoursOf();
    prefetch((next + state.speed) % hoursOf());
    await setHour(next);
    await new Promise((r) => setTimeout(r, 150));
  }
}

function setPlaying(on) {
  state.playing = on;
  const b = $('#play');
  b.textContent = on ? '⏸' : '▶';
  b.title = t(state.lang, on ? 'pause' : 'play');
  b.dataset.playing = on ? '1' : '0';
  if (on) playLoop();
}

// ---- shift change (dynamic loading) ----------------------------------------------------------------
// Clock time at the end of report step i (the queues are the step's last).
function dynClock(i) {
  if (!dyn.data) return '';
  const s = dyn.data.time_s[i] + dyn.data.report_s;
  const m = Math.round(s / 60);
  return `${String(Math.floor(m / 60) % 24).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
}

async function dynamicFrame(step) {
  const key = `${state.run}|${step}`;
  if (!dyn.frames.has(key)) {
    const p = (async () => {
      const r = await fetch(`/api/dynamic_frame?${qs({ run: state.run, step })}`);
      if (!r.ok) throw new Error(`dynamic frame ${step}: ${r.status}`);
      return new Float32Array(await r.arrayBuffer());
    })();
    dyn.frames.set(key, p);
    p.catch(() => dyn.frames.delete(key));
  }
  return dyn.frames.get(key);
}

async function loadDynamic() {
  const r = runInfo(state.run);
  const panel = $('#dynamic-panel');
  panel.hidden = !(r && r.has_dynamic);
  if (panel.hidden) {
    dyn.on = false; dyn.data = null; dyn.run = null; setDynPlaying(false);
    $('#dyn-toggle').checked = false;
    return;
  }
  if (dyn.run !== state.run) {
    dyn.data = await getJSON(`/api/dynamic?${qs({ run: state.run })}`);
    dyn.run = state.run;
    // Start at the step with the most vehicles queued on the roads.
    const q = dyn.data.queued_veh;
    dyn.step = q.reduce((best, v, i) => (v > q[best] ? i : best), 0);
  }
  const s = $('#dyn-slider');
  s.max = String(Math.max(0, dyn.data.time_s.length - 1));
  s.value = String(dyn.step);
  renderDynamic();
}

function gateLabel(zone) {
  const id = String(zone).replace(/^gate:/, '');
  const f = layout && fcOrEmpty(layout.gates).features.find((g) => g.properties.id === id);
  return f ? gateName(f.properties, state.lang) : id;
}

function renderDynamic() {
  const d = dyn.data;
  if (!d) return;
  $('#dyn-time').textContent = dynClock(dyn.step);
  const clock = (s) => { const m = Math.round(s / 60); return `${String(Math.floor(m / 60) % 24).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`; };
  const lines = [t(state.lang, 'dynVehicles', { start: clock(d.start_s), end: clock(d.end_s), n: Math.round(d.vehicles).toLocaleString() })];
  const car = d.classes.find((c) => c.class === 'car');
  if (car && car.mean_free_flow_time_s > 0) {
    const p = (100 * (car.mean_travel_time_s - car.mean_free_flow_time_s)) / car.mean_free_flow_time_s;
    lines.push(t(state.lang, 'dynCommute', { t: (car.mean_travel_time_s / 60).toFixed(1), f: (car.mean_free_flow_time_s / 60).toFixed(1), p: `${p >= 0 ? '+' : ''}${p.toFixed(1)} %` }));
  }
  const busiest = d.gates.find((g) => g.zone === d.busiest_gate);
  if (busiest) {
    const at = busiest.queue_veh.reduce((best, v, i) => (v > busiest.queue_veh[best] ? i : best), 0);
    lines.push(t(state.lang, 'dynGate', { gate: gateLabel(busiest.zone), n: Math.round(busiest.peak_veh), time: dynClock(at) }));
  }
  const li = d.longest_queue_m.reduce((best, v, i) => (v > d.longest_queue_m[best] ? i : best), 0);
  lines.push(t(state.lang, 'dynLongest', { m: Math.round(d.max_queue_m), time: dynClock(li) }));
  $('#dyn-summary').innerHTML = lines.map((x) => `<div>${esc(x)}</div>`).join('');
  drawDynChart(busiest);
}

// Vehicles queued on all roads and at the busiest gate over the window, the shown step marked.
function drawDynChart(busiest) {
  const d = dyn.data;
  const w = 220; const h = 90; const pad = 4;
  const n = d.queued_veh.length;
  const top = Math.max(1, ...d.queued_veh);
  const x = (i) => pad + ((w - 2 * pad) * i) / Math.max(1, n - 1);
  const y = (v) => h - pad - ((h - 2 * pad) * v) / top;
  const path = (vals) => vals.map((v, i) => `${i ? 'L' : 'M'}${x(i).toFixed(1)},${y(v || 0).toFixed(1)}`).join('');
  const gate = busiest ? `<path d="${path(busiest.queue_veh)}" fill="none" stroke="#f472b6" stroke-width="1.5"/>` : '';
  $('#dyn-chart').innerHTML = `<svg viewBox="0 0 ${w} ${h}" width="100%" height="${h}" role="img" aria-label="${esc(t(state.lang, 'dynQueued'))}">
    <path d="${path(d.queued_veh)}" fill="none" stroke="#7dd3fc" stroke-width="1.5"/>${gate}
    <line x1="${x(dyn.step)}" x2="${x(dyn.step)}" y1="0" y2="${h}" stroke="#facc15" stroke-width="1"/>
    <text x="${w - pad}" y="12" text-anchor="end" fill="#94a3b8" font-size="10">${Math.round(top)}</text></svg>
    <div class="legend-note"><span class="legend-swatch" style="background:#7dd3fc"></span>${esc(t(state.lang, 'dynQueued'))}</div>
    <div class="legend-note"><span class="legend-swatch" style="background:#f472b6"></span>${esc(t(state.lang, 'dynGateSeries'))}</div>`;
}

async function setDynStep(i) {
  if (!dyn.data) return;
  const n = dyn.data.time_s.length;
  dyn.step = ((Math.round(i) % n) + n) % n;
  $('#dyn-slider').value = String(dyn.step);
  renderDynamic();
  if (dyn.on) { renderLegends(); await updateFrames(); }
  document.body.dataset.dynStep = String(dyn.step);
}

async function dynPlayLoop() {
  while (dyn.playing) {
    await setDynStep(dyn.step + 1);
    await new Promise((r) => setTimeout(r, 250));
  }
}

function setDynPlaying(on) {
  dyn.playing = on;
  const b = $('#dyn-play');
  b.textContent = on ? '⏸' : '▶';
  if (on) dynPlayLoop();
}

async function setDynOn(on) {
  dyn.on = on && !!dyn.data;
  if (!dyn.on) setDynPlaying(false);
  await applyColours();
  await updateFrames();
  document.body.dataset.dynamic = dyn.on ? '1' : '0';
}

// ---- legends -----------------------------------------------------------------------------------
function legendHTML(layer) {
  const stops = colourStops[layer];
  if (!stops || !state.visible[layer]) return '';
  if (layer === 'roads' && dyn.on && dyn.data) {
    const lo = stops[0][0]; const hi = stops[stops.length - 1][0];
    const grad = stops.map(([v, c]) => `${c} ${(((v - lo) / (hi - lo)) * 100).toFixed(1)}%`).join(', ');
    return `<div class="legend" data-layer="roads" data-quantity="queue_m" data-unit="m">
    <div class="legend-title">${esc(`${t(state.lang, 'roads')} · ${t(state.lang, 'dynQueue')} (m) · ${dynClock(dyn.step)}`)}</div>
    <div class="legend-bar" style="background: linear-gradient(to right, ${grad})"></div>
    <div class="legend-ticks"><span>0</span><span>${Math.round(hi / 2)}</span><span>${hi}+</span></div></div>`;
  }
  const q = quantityOf(layer);
  const qi = quantityInfo(layer, q) || { label: { en: q, ko: q } };
  const unit = currentUnit[layer] || qi.unit;
  const lo = stops[0][0]; const hi = stops[stops.length - 1][0];
  const grad = stops.map(([v, c]) => `${c} ${(((v - lo) / (hi - lo)) * 100).toFixed(1)}%`).join(', ');
  const mid = stops[Math.floor(stops.length / 2)][0];
  const share = unit === '1' || unit === 'share';
  const ul = share && q !== 'vc' ? '%' : share ? '' : unitLabel(unit, state.lang);
  const title = `${t(state.lang, layer)} · ${state.base ? 'B − A ' : ''}${L(qi.label)}${ul ? ` (${ul})` : ''}`;
  const tick = (v) => fmt(v, unit, q, !!state.base).replace(` ${ul}`, '').replace(ul === '%' ? ' %' : '\u0000', '');
  const note = qi.per === 'year' ? `<div class="legend-note">${esc(t(state.lang, 'perYear'))}</div>` : '';
  const diff = '';
  return `<div class="legend" data-layer="${layer}" data-quantity="${esc(q)}" data-unit="${esc(unit)}">
    <div class="legend-title">${esc(title)}</div>
    <div class="legend-bar" style="background: linear-gradient(to right, ${grad})"></div>
    <div class="legend-ticks"><span>${esc(tick(lo))}</span><span>${esc(tick(mid))}</span><span>${esc(tick(hi))}${stops.length && !state.base && hi < Infinity ? '+' : ''}</span></div>
    ${note}${diff}</div>`;
}

function renderLegends() {
  const parts = LAYERS.map(legendHTML).filter(Boolean);
  if (state.base) parts.push(`<div class="legend-note diff-note">${esc(t(state.lang, 'diffScale'))}</div>`);
  parts.push(`<div class="legend-note"><span class="legend-swatch" style="background:${NODATA}"></span>${esc(t(state.lang, 'noData'))}</div>`);
  $('#map-legend').innerHTML = parts.join('');
  $('#legends').innerHTML = `
    <div class="legend-note"><span class="legend-swatch" style="background:#173152;border:2px dashed #7dd3fc"></span>${esc(t(state.lang, 'complexes'))}</div>
    <div class="legend-note"><span class="legend-swatch" style="background:#facc15;border-radius:50%"></span>${esc(t(state.lang, 'substations'))} (154 kV)</div>
    <div class="legend-note"><span class="legend-swatch" style="background:#f472b6;border-radius:50%"></span>${esc(t(state.lang, 'gates'))}</div>`;
}

// ---- selection and highlight -------------------------------------------------------------------
function clearHighlight() {
  while (highlighted.length) {
    const h = highlighted.pop();
    if (map.getSource(h.source)) map.setFeatureState(h, { hl: false });
  }
  if (map.getLayer('hl-roads')) map.setFilter('hl-roads', ['==', ['id'], -1]);
}

function select(layer, id) {
  clearHighlight();
  state.selected = { layer, feature: id };
  if (layer === 'roads') map.setFilter('hl-roads', ['==', ['id'], id]);
  else if (layer === 'facilities' || layer === 'feeders') {
    const h = { source: layer, id };
    map.setFeatureState(h, { hl: true });
    highlighted.push(h);
  }
}

// ---- alarms ------------------------------------------------------------------------------------
const ALARM_LAYER_QUANTITY = {
  undervoltage: ['feeders', 'voltage'], overvoltage: ['feeders', 'voltage'], overload: ['feeders', 'loading'],
  congestion: ['roads', 'vc'], battery_full: ['facilities', 'battery_soc'], battery_empty: ['facilities', 'battery_soc'],
  deviation: ['facilities', 'load_kw'],
};

async function loadAlarms() {
  const run = state.run;
  const r = await getJSON(`/api/alarms?${qs({ run })}`);
  if (run !== state.run) return;
  alarms = r.alarms || [];
  alarmTotals = { shown: r.shown ?? alarms.length, total: r.total ?? alarms.length };
  renderAlarms();
}

function alarmName(a) {
  if (a.layer === 'facilities' && layout.facilities && layout.facilities.features[a.feature]) return featureName('facilities', a.feature);
  if (a.layer === 'feeders' && layout.feeders && layout.feeders.features[a.feature]) return featureName('feeders', a.feature);
  if (a.layer === 'roads' && layout.roads && layout.roads.features[a.feature]) return featureName('roads', a.feature);
  return a.name;
}

function renderAlarms() {
  const ol = $('#alarm-list');
  $('#alarm-count').textContent = alarmTotals ? t(state.lang, 'alarmsShown', alarmTotals) : '';
  if (!alarms.length) { ol.innerHTML = `<li class="empty">${esc(t(state.lang, 'noAlarms'))}</li>`; return; }
  ol.innerHTML = alarms.map((a, i) => {
    const bad = ['overload', 'undervoltage', 'overvoltage'].includes(a.kind);
    const key = ALARM_LAYER_QUANTITY[a.kind] ? ALARM_LAYER_QUANTITY[a.kind][1] : '';
    return `<li class="alarm-item ${bad ? 'sev-bad' : ''}" data-index="${i}" data-kind="${esc(a.kind)}" data-layer="${esc(a.layer)}"
      data-feature="${a.feature}" data-hour="${a.worst_hour}" data-lon="${a.lon}" data-lat="${a.lat}" tabindex="0">
      <div class="a-kind">${esc(alarmKind(a.kind, state.lang))} · ${esc(t(state.lang, 'inHours', { n: a.hours }))}</div>
      <div class="a-name" title="${esc(alarmName(a))}">${esc(alarmName(a))}</div>
      <div class="a-val">${esc(t(state.lang, 'worst'))} ${esc(fmt(a.value, a.unit, key))} (${esc(t(state.lang, 'limit'))} ${esc(fmt(a.limit, a.unit, key))}) · ${esc(hourText(a.worst_hour))}</div>
    </li>`;
  }).join('');
}

async function onAlarm(i) {
  const a = alarms[i];
  if (!a) return;
  $$('.alarm-item').forEach((el) => el.classList.toggle('active', Number(el.dataset.index) === i));
  setPlaying(false);
  const lq = ALARM_LAYER_QUANTITY[a.kind];
  if (lq && quantityList(lq[0]).some((q) => q.key === lq[1])) {
    const [layer, q] = lq;
    if (layer === 'facilities') state.quantity = q; else if (layer === 'feeders') state.feederQuantity = q; else state.roadQuantity = q;
    state.visible[layer] = true;
    syncControls();
    await applyColours();
  }
  map.flyTo({ center: [a.lon, a.lat], zoom: Math.max(map.getZoom(), 15), duration: 900 });
  select(a.layer, a.feature);
  await setHour(a.worst_hour);
  if (a.layer === 'facilities' || a.layer === 'feeders') openChart(a.layer, a.feature);
}

// ---- KPIs --------------------------------------------------------------------------------------
async function loadKpis() {
  const [run, baseRun] = [state.run, state.base];
  const k = await getJSON(`/api/kpis?${qs({ run, base: baseRun })}`);
  if (run !== state.run || baseRun !== state.base) return;
  kpis = k;
  renderKpis();
}

function renderKpis() {
  if (!kpis) return;
  const cs = kpis.complexes || [];
  if (!cs.some((c) => c.id === state.kpiComplex)) state.kpiComplex = cs.length ? cs[cs.length - 1].id : 'all';
  $('#kpi-tabs').innerHTML = cs.map((c) => {
    const name = c.id === 'all' ? t(state.lang, 'all') : (state.lang === 'ko' ? (c.name_ko || c.name).replace(/(국가)?산업단지$/, '') : c.name.replace(/ (National )?Industrial Complex$/, ''));
    return `<button type="button" class="${c.id === state.kpiComplex ? 'active' : ''}" data-complex="${esc(c.id)}" title="${esc(complexName(c, state.lang))}">${esc(name)}</button>`;
  }).join('');
  const c = cs.find((x) => x.id === state.kpiComplex);
  if (!c) { $('#kpi-table').innerHTML = ''; return; }
  const diff = !!state.base;
  const head = `<tr><th>${esc(complexName(c.id === 'all' ? { name: t('en', 'all'), name_ko: t('ko', 'all') } : c, state.lang))}</th><th class="v">${diff ? 'B' : ''}</th>${diff ? `<th class="v">${esc(t(state.lang, 'kpiDiff'))}</th>` : ''}</tr>`;
  const rows = (c.kpis || []).map((k) => {
    let d = '';
    if (diff) {
      const dv = k.base === undefined || k.base === null ? NaN : k.value - k.base;
      const cls = dv < 0 ? 'neg' : dv > 0 ? 'pos' : '';
      d = `<td class="v ${cls}" data-diff="${dv}">${esc(fmt(dv, k.unit, k.key, true))}</td>`;
    }
    return `<tr data-kpi="${esc(k.key)}"><td>${esc(kpiLabel(k.key, state.lang))}</td><td class="v">${esc(fmt(k.value, k.unit, k.key))}</td>${d}</tr>`;
  });
  $('#kpi-table').innerHTML = head + rows.join('');
  $('#kpi-table').classList.toggle('diff', diff);
}

function onKpiComplex(id) {
  state.kpiComplex = id;
  renderKpis();
  const idx = meta.complexes.findIndex((c) => c.id === id);
  const cfc = fcOrEmpty(layout.complexes).features;
  const lidx = cfc.findIndex((f) => f.properties && f.properties.id === id);
  if (idx >= 0 || lidx >= 0) {
    const k = lidx >= 0 ? lidx : idx;
    const f = cfc[k];
    if (f) map.flyTo({ center: (f.properties && f.properties.label) || centroid(f.geometry), zoom: Math.max(map.getZoom(), 13.5), duration: 700 });
    openChart('complexes', k);
  }
}

// ---- chart -------------------------------------------------------------------------------------
function chartQuantities(layer) {
  if (layer === 'feeders') return quantityList('feeders');
  const fq = quantityList('facilities').filter((q) => q.per !== 'year');
  if (layer === 'complexes') return fq.filter((q) => ['load_kw', 'pv_kw', 'import_kw', 'export_kw'].includes(q.key));
  return fq;
}

function chartWindow() {
  const n = hoursOf();
  const day = Math.floor(state.hour / 24);
  if (state.chartRange === 'day') return { from: day * 24, hours: Math.min(24, n - day * 24), step: 1 };
  if (state.chartRange === 'week') {
    const wd = hourDate(day * 24).getUTCDay();
    const from = Math.max(0, (day - ((wd + 6) % 7)) * 24);
    return { from, hours: Math.min(168, n - from), step: 1 };
  }
  return { from: 0, hours: n, step: 24 };
}

let chartToken = 0;
let chartData = null;

function openChart(layer, feature) {
  const qs2 = chartQuantities(layer);
  if (!qs2.length) return;
  const prev = state.chartQuantity;
  const pref = layer === 'feeders' ? state.feederQuantity : state.quantity;
  state.chartQuantity = qs2.some((q) => q.key === pref) ? pref : qs2.some((q) => q.key === prev) ? prev : qs2[0].key;
  state.chart = { layer, feature };
  $('#chart-panel').hidden = false;
  $('#chart-panel').dataset.layer = layer;
  $('#chart-panel').dataset.feature = String(feature);
  loadChart();
}

async function loadChart() {
  if (!state.chart) return;
  const { layer, feature } = state.chart;
  const sel = $('#chart-quantity');
  sel.innerHTML = chartQuantities(layer).map((q) => `<option value="${esc(q.key)}">${esc(L(q.label))}</option>`).join('');
  sel.value = state.chartQuantity;
  $$('#chart-panel .seg button').forEach((b) => b.classList.toggle('active', b.dataset.range === state.chartRange));
  $('#chart-title').textContent = featureName(layer, feature);
  const token = ++chartToken;
  const w = chartWindow();
  const common = { layer, feature, quantity: state.chartQuantity, from: w.from, hours: w.hours, step: w.step };
  const reqs = [getJSON(`/api/series?${qs({ run: state.run, ...common })}`)];
  if (state.base) reqs.push(getJSON(`/api/series?${qs({ run: state.base, ...common })}`));
  $('#chart').dataset.loading = '1';
  try {
    const [b, a] = await Promise.all(reqs);
    if (token !== chartToken) return;
    chartData = { b, a, w, layer, feature, quantity: state.chartQuantity };
    drawChart();
  } catch (e) {
    if (token === chartToken) showError(e);
  }
}

function niceTicks(lo, hi, n = 5) {
  if (!(hi > lo)) { hi = lo + 1; lo -= 1; }
  const span = hi - lo;
  const step0 = span / n;
  const mag = 10 ** Math.floor(Math.log10(step0));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= step0) || 10 * mag;
  const start = Math.floor(lo / step) * step;
  const ticks = [];
  for (let v = start; v <= hi + step * 0.5; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

function drawChart() {
  const el = $('#chart');
  delete el.dataset.loading;
  if (!chartData) return;
  const { b, a, w, quantity } = chartData;
  const unit = b.unit;
  const width = Math.max(320, el.clientWidth || 640); const height = 210;
  const m = { l: 64, r: 12, t: 16, b: 30 };
  const iw = width - m.l - m.r; const ih = height - m.t - m.b;
  const series = [{ key: 'b', vals: b.values, colour: '#38bdf8', dash: '', label: state.base ? `B: ${runInfo(state.run).scenario_name} (${t(state.lang, 'simulated')})` : `${t(state.lang, 'simulated')} (${runInfo(state.run).scenario_name})` }];
  if (a) series.push({ key: 'a', vals: a.values, colour: '#94a3b8', dash: '5 3', label: `A: ${runInfo(state.base).scenario_name} (${t(state.lang, 'simulated')})` });
  if (b.measured) series.push({ key: 'measured', vals: b.measured, colour: '#f59e0b', dash: '2 2', label: t(state.lang, 'measured') });
  const isShare = (unit === '1' || unit === 'share' || unit === '') && quantity !== 'vc';
  const scaleV = (v) => (isShare ? v * 100 : v);
  let lo = Infinity; let hi = -Infinity;
  for (const s of series) for (const v of s.vals) if (v !== null && Number.isFinite(v)) { lo = Math.min(lo, scaleV(v)); hi = Math.max(hi, scaleV(v)); }
  if (!Number.isFinite(lo)) { lo = 0; hi = 1; }
  if (quantity !== 'voltage') lo = Math.min(lo, 0);
  const yt = niceTicks(lo, hi);
  const y0 = yt[0]; const y1 = yt[yt.length - 1];
  const step = b.step || w.step;
  const from = b.from ?? w.from;
  const npts = Math.max(...series.map((s) => s.vals.length));
  const xs = (i) => m.l + (npts <= 1 ? 0 : (i / (npts - 1)) * iw);
  const ys = (v) => m.t + ih - ((scaleV(v) - y0) / (y1 - y0)) * ih;
  const parts = [];
  for (const v of yt) {
    const y = m.t + ih - ((v - y0) / (y1 - y0)) * ih;
    parts.push(`<line class="grid" x1="${m.l}" x2="${m.l + iw}" y1="${y}" y2="${y}"/>`);
    parts.push(`<text x="${m.l - 6}" y="${y + 4}" text-anchor="end">${esc(new Intl.NumberFormat(state.lang === 'ko' ? 'ko-KR' : 'en-GB', { maximumFractionDigits: 3, notation: Math.abs(y1) >= 1e6 ? 'compact' : 'standard' }).format(v))}</text>`);
  }
  // x ticks: hours of the day, days of the week, months of the year
  const xt = [];
  for (let i = 0; i < npts; i++) {
    const h = from + i * step;
    const d = hourDate(h);
    if (state.chartRange === 'day' && d.getUTCHours() % 3 === 0) xt.push([i, `${String(d.getUTCHours()).padStart(2, '0')}${state.lang === 'ko' ? '시' : ':00'}`]);
    else if (state.chartRange === 'week' && d.getUTCHours() === 0) xt.push([i, `${d.getUTCMonth() + 1}/${d.getUTCDate()} (${WEEKDAYS[state.lang][d.getUTCDay()]})`]);
    else if (state.chartRange === 'year' && d.getUTCDate() === 1) xt.push([i, MONTHS[state.lang][d.getUTCMonth()]]);
  }
  for (const [i, label] of xt) {
    parts.push(`<line class="grid" x1="${xs(i)}" x2="${xs(i)}" y1="${m.t}" y2="${m.t + ih}"/>`);
    parts.push(`<text x="${xs(i)}" y="${m.t + ih + 14}" text-anchor="middle">${esc(label)}</text>`);
  }
  parts.push(`<line class="axis" x1="${m.l}" x2="${m.l}" y1="${m.t}" y2="${m.t + ih}"/>`);
  parts.push(`<line class="axis" x1="${m.l}" x2="${m.l + iw}" y1="${m.t + ih}" y2="${m.t + ih}"/>`);
  const ul = isShare ? '%' : unitLabel(unit, state.lang);
  const qi = quantityInfo(chartData.layer === 'feeders' ? 'feeders' : 'facilities', quantity);
  parts.push(`<text class="y-unit" x="${m.l - 6}" y="${m.t - 5}" text-anchor="end">${esc(ul)}</text>`);
  parts.push(`<text class="x-unit" x="${m.l + iw}" y="${height - 2}" text-anchor="end">${esc(state.chartRange === 'year' ? `${t(state.lang, 'dateLabel')} (${state.lang === 'ko' ? '일평균' : 'daily mean'})` : `${t(state.lang, 'time')} (KST)`)}</text>`);
  for (const s of series) {
    let d = ''; let pen = false;
    s.vals.forEach((v, i) => {
      if (v === null || !Number.isFinite(v)) { pen = false; return; }
      d += `${pen ? 'L' : 'M'}${xs(i).toFixed(1)},${ys(v).toFixed(1)}`;
      pen = true;
    });
    parts.push(`<path class="series" data-series="${s.key}" d="${d}" fill="none" stroke="${s.colour}" stroke-width="${s.key === 'b' ? 1.8 : 1.4}" ${s.dash ? `stroke-dasharray="${s.dash}"` : ''}/>`);
  }
  parts.push('<line class="now" x1="0" x2="0" y1="0" y2="0" visibility="hidden"/>');
  // legend: the quantity with its unit, then one entry a line
  const entries = series.map((s) => `<span class="legend-entry" data-series="${s.key}"><svg width="22" height="8"><line x1="0" x2="22" y1="4" y2="4" stroke="${s.colour}" stroke-width="2" ${s.dash ? `stroke-dasharray="${s.dash}"` : ''}/></svg>${esc(s.label)}</span>`);
  const diffNote = state.base ? '' : '';
  el.innerHTML = `<div class="chart-legend"><b>${esc(L(qi && qi.label))}${ul ? ` (${esc(ul)})` : ''}</b>${entries.join('')}${diffNote}</div>
    <svg viewBox="0 0 ${width} ${height}" preserveAspectRatio="none" role="img">${parts.join('')}</svg>`;
  chartData.geom = { m, iw, ih, from, step, npts };
  markChartHour();
}

function markChartHour() {
  const line = document.querySelector('#chart line.now');
  if (!line || !chartData || !chartData.geom) return;
  const { m, iw, ih, from, step, npts } = chartData.geom;
  const i = (state.hour - from) / step;
  if (i < 0 || i > npts - 1) { line.setAttribute('visibility', 'hidden'); return; }
  const x = m.l + (npts <= 1 ? 0 : (i / (npts - 1)) * iw);
  line.setAttribute('x1', x); line.setAttribute('x2', x);
  line.setAttribute('y1', m.t); line.setAttribute('y2', m.t + ih);
  line.setAttribute('visibility', 'visible');
}

// ---- controls ----------------------------------------------------------------------------------
function fillSelect(sel, items, value) {
  sel.innerHTML = items.map((it) => `<option value="${esc(it.value)}" title="${esc(it.title || '')}">${esc(it.label)}</option>`).join('');
  if (value !== undefined && items.some((it) => it.value === value)) sel.value = value;
}

function runOptions() {
  const names = meta.runs.map((r) => r.scenario_name || r.run);
  return meta.runs.map((r, i) => {
    const n = names[i];
    const dup = names.filter((x) => x === n).length > 1;
    return { value: r.id, label: dup ? `${n} [${r.id}]` : n, title: L(r.description) };
  });
}

function syncControls() {
  fillSelect($('#run-select'), runOptions(), state.run);
  fillSelect($('#base-select'), runOptions(), state.base || meta.runs[0].id);
  $('#diff-toggle').checked = !!state.base;
  $('.run-a').hidden = !state.base;
  $('#run-b-label').textContent = state.base ? t(state.lang, 'runB') : t(state.lang, 'scenario');
  const qopt = (layer) => quantityList(layer).map((q) => {
    const share = q.unit === '1' || q.unit === 'share';
    const u = share && q.key !== 'vc' ? '%' : share ? '' : unitLabel(q.unit, state.lang);
    return { value: q.key, label: u ? `${L(q.label)} (${u})` : L(q.label) };
  });
  fillSelect($('#quantity-select'), qopt('facilities'), state.quantity);
  fillSelect($('#feeder-quantity-select'), qopt('feeders'), state.feederQuantity);
  fillSelect($('#road-quantity-select'), qopt('roads'), state.roadQuantity);
  $('#feeder-quantity-select').disabled = !quantityList('feeders').length;
  $('#road-quantity-select').disabled = !quantityList('roads').length;
  for (const l of LAYERS) $(`#show-${l}`).checked = state.visible[l];
  $('#show-points').checked = state.visible.points;
  $('#speed').value = String(state.speed);
}

function renderScenario() {
  const r = runInfo(state.run);
  const a = state.base ? runInfo(state.base) : null;
  const desc = (x, tag) => `<p data-run="${esc(x.id)}">${tag ? `<b>${tag}</b> ` : ''}<b>${esc(x.scenario_name)}</b> — ${esc(L(x.description))}</p>`;
  $('#scenario-desc').innerHTML = a ? desc(a, 'A') + desc(r, 'B') : desc(r, '');
  const items = (r.interventions || []).map((iv) => `<li data-kind="${esc(iv.kind)}">${esc(L(iv.text) || iv.kind)}</li>`);
  $('#scenario-interventions').innerHTML = items.length ? items.join('') : `<li>${esc(t(state.lang, 'noInterventions'))}</li>`;
}

function applyLanguage() {
  document.documentElement.lang = state.lang;
  document.title = t(state.lang, 'title');
  $$('[data-i18n]').forEach((el) => { el.textContent = t(state.lang, el.dataset.i18n); });
  $$('[data-i18n-title]').forEach((el) => { el.title = t(state.lang, el.dataset.i18nTitle); });
  const ls = $('#lang-switch');
  ls.textContent = t(state.lang, 'lang');
  ls.dataset.lang = state.lang;
  const cav = meta.caveat ? L(meta.caveat) : '';
  $('#caveat').hidden = !cav && !meta.synthetic;
  $('#caveat').innerHTML = `<b>${esc(t(state.lang, 'caveatTitle'))}</b>${esc(cav)}`;
  $('#caveat').dataset.lang = state.lang;
  syncControls();
  renderScenario();
  renderHour();
  if (dyn.data) renderDynamic();
  if (layout) {
    for (const mk of markers) {
      const el = mk.getElement();
      const c = fcOrEmpty(layout.complexes).features.find((f) => f.properties.id === el.dataset.complex);
      if (c) el.textContent = complexName(c.properties, state.lang);
    }
    declutterLabels();
  }
  renderLegends();
  renderAlarms();
  renderKpis();
  $('#play').title = t(state.lang, state.playing ? 'pause' : 'play');
  if (!$('#chart-panel').hidden) loadChart();
}

async function loadLayoutFor(runId) {
  const r = runInfo(runId);
  if (layout && layoutSite === r.site) return false;
  layout = await getJSON(`/api/layout?${qs({ run: runId })}`);
  layoutSite = r.site;
  addLayout();
  renderLabels();
  if (layout.bounds) map.fitBounds([[layout.bounds[0], layout.bounds[1]], [layout.bounds[2], layout.bounds[3]]], { padding: { top: 110, bottom: 30, left: 130, right: 260 }, duration: 0 });
  return true;
}

async function onRunsChanged() {
  setPlaying(false);
  const changedLayout = await loadLayoutFor(state.run);
  if (changedLayout) clearHighlight();
  for (const l of LAYERS) if (!quantityList(l).some((q) => q.key === quantityOf(l)) && quantityList(l).length) {
    if (l === 'facilities') state.quantity = quantityList(l)[0].key;
    if (l === 'feeders') state.feederQuantity = quantityList(l)[0].key;
    if (l === 'roads') state.roadQuantity = quantityList(l)[0].key;
  }
  if (state.hour >= hoursOf()) state.hour = hoursOf() - 1;
  syncControls();
  renderScenario();
  renderHour();
  await loadDynamic();
  await applyColours();
  await Promise.all([updateFrames(), loadAlarms(), loadKpis()]);
  if (!$('#chart-panel').hidden) loadChart();
}

function setVisibility() {
  const vis = (on) => (on ? 'visible' : 'none');
  map.setLayoutProperty('facilities-fill', 'visibility', vis(state.visible.facilities));
  map.setLayoutProperty('facilities-outline', 'visibility', vis(state.visible.facilities));
  map.setLayoutProperty('feeders-line', 'visibility', vis(state.visible.feeders));
  map.setLayoutProperty('roads-line', 'visibility', vis(state.visible.roads));
  map.setLayoutProperty('substations-circle', 'visibility', vis(state.visible.points));
  map.setLayoutProperty('gates-circle', 'visibility', vis(state.visible.points));
}

function showError(e) {
  console.error(e);
  const s = $('#status');
  s.hidden = false;
  s.textContent = `${t(state.lang, 'errorLoad')}: ${e.message || e}`;
}

function bindControls() {
  $('#hour-slider').addEventListener('input', (e) => { setPlaying(false); setHour(Number(e.target.value)); });
  $('#step-back').addEventListener('click', () => { setPlaying(false); setHour(state.hour - state.speed); });
  $('#step-fwd').addEventListener('click', () => { setPlaying(false); setHour(state.hour + state.speed); });
  $('#play').addEventListener('click', () => setPlaying(!state.playing));
  $('#speed').addEventListener('change', (e) => { state.speed = Number(e.target.value); });
  $('#peak').addEventListener('click', () => { setPlaying(false); setHour(runInfo(state.run).peak_hour || 0); });
  $('#lang-switch').addEventListener('click', () => { state.lang = state.lang === 'ko' ? 'en' : 'ko'; applyLanguage(); });
  $('#run-select').addEventListener('change', (e) => { state.run = e.target.value; onRunsChanged().catch(showError); });
  $('#base-select').addEventListener('change', (e) => { state.base = e.target.value; onRunsChanged().catch(showError); });
  $('#diff-toggle').addEventListener('change', (e) => {
    if (e.target.checked) {
      const other = meta.runs.find((r) => r.id !== state.run);
      state.base = $('#base-select').value && $('#base-select').value !== state.run ? $('#base-select').value : (other ? other.id : state.run);
    } else state.base = null;
    onRunsChanged().catch(showError);
  });
  const onQuantity = (layer) => async (e) => {
    if (layer === 'facilities') state.quantity = e.target.value;
    if (layer === 'feeders') state.feederQuantity = e.target.value;
    if (layer === 'roads') state.roadQuantity = e.target.value;
    try { await applyColours(); await updateFrames(); } catch (err) { showError(err); }
  };
  $('#quantity-select').addEventListener('change', onQuantity('facilities'));
  $('#feeder-quantity-select').addEventListener('change', onQuantity('feeders'));
  $('#road-quantity-select').addEventListener('change', onQuantity('roads'));
  for (const l of [...LAYERS, 'points']) {
    $(`#show-${l}`).addEventListener('change', async (e) => {
      state.visible[l] = e.target.checked;
      setVisibility();
      renderLegends();
      try { await updateFrames(); } catch (err) { showError(err); }
    });
  }
  $('#dyn-toggle').addEventListener('change', (e) => setDynOn(e.target.checked).catch(showError));
  $('#dyn-slider').addEventListener('input', (e) => { setDynPlaying(false); setDynStep(Number(e.target.value)).catch(showError); });
  $('#dyn-play').addEventListener('click', () => {
    if (!dyn.on) { $('#dyn-toggle').checked = true; setDynOn(true).catch(showError); }
    setDynPlaying(!dyn.playing);
  });
  $('#alarm-list').addEventListener('click', (e) => {
    const li = e.target.closest('.alarm-item');
    if (li) onAlarm(Number(li.dataset.index)).catch(showError);
  });
  $('#alarm-list').addEventListener('keydown', (e) => {
    const li = e.target.closest('.alarm-item');
    if (li && e.key === 'Enter') onAlarm(Number(li.dataset.index)).catch(showError);
  });
  $('#kpi-tabs').addEventListener('click', (e) => {
    const b = e.target.closest('button[data-complex]');
    if (b) onKpiComplex(b.dataset.complex);
  });
  $('#chart-close').addEventListener('click', () => { $('#chart-panel').hidden = true; state.chart = null; clearHighlight(); });
  $('#chart-quantity').addEventListener('change', (e) => { state.chartQuantity = e.target.value; loadChart(); });
  $$('#chart-panel .seg button').forEach((b) => b.addEventListener('click', () => { state.chartRange = b.dataset.range; loadChart(); }));
  window.addEventListener('keydown', (e) => {
    if (e.target.tagName === 'INPUT' || e.target.tagName === 'SELECT') return;
    if (e.key === 'ArrowRight') setHour(state.hour + state.speed);
    if (e.key === 'ArrowLeft') setHour(state.hour - state.speed);
    if (e.key === ' ') { e.preventDefault(); setPlaying(!state.playing); }
  });
  window.addEventListener('resize', () => { if (chartData && !$('#chart-panel').hidden) drawChart(); });
}

// ---- start -------------------------------------------------------------------------------------
async function main() {
  meta = await getJSON('/api/meta');
  if (!meta.runs || !meta.runs.length) throw new Error('no run');
  const params = new URLSearchParams(window.location.search);
  state.lang = params.get('lang') || meta.lang || 'ko';
  if (!['ko', 'en'].includes(state.lang)) state.lang = 'ko';
  state.run = params.get('run') && runInfo(params.get('run')) ? params.get('run') : meta.runs[0].id;
  state.hour = Math.min(Number(params.get('hour')) || 0, hoursOf() - 1);
  bindControls();
  applyLanguage();
  await buildMap();
  await onRunsChanged();
  applyLanguage();
  document.body.dataset.ready = '1';
}

main().then(() => resolveReady(window.sandanView), (e) => { showError(e); rejectReady(e); });

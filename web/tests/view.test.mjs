// Browser tests of the control-centre view: two results files made with the built binary, served by
// `sandan serve`, driven in the system's Chromium (playwright-core, no browser download).
//
//   node web/tests/view.test.mjs            (from the repository root)
//   SANDAN_BIN=path/to/sandan SANDAN_SCREENSHOTS=folder node web/tests/view.test.mjs
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const bin = path.resolve(root, process.env.SANDAN_BIN || 'build/release/cli/sandan');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'sandan-view-'));
const shots = process.env.SANDAN_SCREENSHOTS ? path.resolve(process.env.SANDAN_SCREENSHOTS) : path.join(work, 'screenshots');
fs.mkdirSync(shots, { recursive: true });

export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

let server = null;
let browser = null;
let page = null;
let base = '';
let meta = null;
const problems = [];   // console errors, page errors, failed requests, HTTP errors seen by the page

function killServer() {
  if (server && server.exitCode === null && !server.killed) server.kill('SIGTERM');
}
process.on('exit', killServer);

// The first line the server prints: "sandan: serving http://127.0.0.1:PORT/ (Ctrl-C to stop)".
function startServer(files) {
  return new Promise((resolve, reject) => {
    server = spawn(bin, ['serve', ...files, '--port', '0'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    server.stderr.on('data', (d) => { err += d; });
    server.stdout.on('data', (d) => {
      out += d;
      const m = /serving (http:\/\/[^\s]+)/.exec(out);
      if (m) resolve(m[1].replace(/\/$/, ''));
    });
    server.on('exit', (code) => reject(new Error(`sandan serve exited (${code}) before serving: ${err}`)));
    server.on('error', reject);
  });
}

async function api(p) {
  const r = await fetch(base + p);
  assert.equal(r.status, 200, `${p}: HTTP ${r.status}`);
  return r.json();
}

// A raw GET whose path is sent as written (fetch and URL would resolve the dots first).
function rawGet(p) {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: u.hostname, port: u.port, path: p, method: 'GET' }, (res) => {
      let body = '';
      res.on('data', (d) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const shownHour = () => page.evaluate(() => window.sandanView.state.shownHour);
async function waitShown(hour) {
  await page.waitForFunction((h) => window.sandanView.state.shownHour === h, hour);
}
async function waitMapStill() {
  await page.waitForFunction(() => !window.sandanView.map.isMoving());
  await page.evaluate(() => new Promise((r) => { const m = window.sandanView.map; m.once('idle', r); m.triggerRepaint(); }));
}
const facilityStates = () => page.evaluate(() => {
  const v = window.sandanView;
  const n = v.counts().facilities;
  const out = [];
  for (let i = 0; i < n; i++) out.push(v.map.getFeatureState({ source: 'facilities', id: i }).v ?? null);
  return out;
});

// The colour drawn on the map canvas at a facility's centre, after zooming onto it.
async function facilityPixel(id) {
  return page.evaluate(async (fid) => {
    const v = window.sandanView;
    const f = v.layout.facilities.features[fid];
    const ring = f.geometry.type === 'Polygon' ? f.geometry.coordinates[0] : f.geometry.coordinates[0][0];
    let x = 0; let y = 0;
    const pts = ring.slice(0, -1);
    for (const [a, b] of pts) { x += a; y += b; }
    const c = [x / pts.length, y / pts.length];
    v.map.jumpTo({ center: c, zoom: 18 });
    await new Promise((r) => { v.map.once('idle', r); v.map.triggerRepaint(); });
    const p = v.map.project(c);
    const cv = v.map.getCanvas();
    const o = document.createElement('canvas');
    o.width = cv.width; o.height = cv.height;
    const g = o.getContext('2d');
    g.drawImage(cv, 0, 0);
    const k = cv.width / cv.clientWidth;
    return Array.from(g.getImageData(Math.round(p.x * k), Math.round(p.y * k), 1, 1).data);
  }, id);
}

before(async () => {
  assert.ok(fs.existsSync(bin), `no sandan binary at ${bin} (build it, or set SANDAN_BIN)`);
  for (const s of ['baseline', 'rooftop_pv']) {
    execFileSync(bin, ['run', `scenarios/${s}.yaml`, '-o', path.join(work, `${s}.h5`)], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  }
  base = await startServer([path.join(work, 'baseline.h5'), path.join(work, 'rooftop_pv.h5')]);
  meta = await api('/api/meta');
  browser = await chromium.launch({ executablePath: process.env.SANDAN_CHROMIUM || '/usr/bin/chromium', args: CHROMIUM_ARGS });
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} ${r.failure() && r.failure().errorText}`));
  page.on('response', (r) => { if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`); });
  page.on('request', (r) => { if (!r.url().startsWith(base) && !r.url().startsWith('data:') && !r.url().startsWith('blob:')) problems.push(`request outside the server: ${r.url()}`); });
});

after(async () => {
  try { if (browser) await browser.close(); } finally {
    killServer();
    if (!process.env.SANDAN_SCREENSHOTS) fs.rmSync(work, { recursive: true, force: true });
    else for (const f of fs.readdirSync(work)) if (f.endsWith('.h5')) fs.rmSync(path.join(work, f), { force: true });
  }
});

test('the page loads with no console error, no failed request and nothing fetched from outside', async () => {
  await page.goto(`${base}/`);
  await page.evaluate(() => window.sandanView.ready);
  await waitMapStill();
  await page.screenshot({ path: path.join(shots, 'view-ko.png') });
  assert.deepEqual(problems, []);
});

test('the map draws the five complexes and every feature of /api/layout', async () => {
  const layout = await api(`/api/layout?run=${encodeURIComponent(meta.runs[0].id)}`);
  const counts = await page.evaluate(() => window.sandanView.counts());
  assert.equal(layout.complexes.features.length, 5);
  for (const src of ['complexes', 'facilities', 'roads', 'feeders', 'substations', 'gates']) {
    assert.equal(counts[src], layout[src].features.length, `features of ${src} on the map`);
  }
  assert.equal(counts.rendered_complexes, 5, 'complexes drawn');
  assert.equal(counts.labels, 5, 'complex names on the map');
  assert.ok(counts.rendered_facilities > 0 && counts.rendered_feeders > 0 && counts.rendered_roads > 0, JSON.stringify(counts));
  const names = await page.$$eval('.complex-label', (els) => els.map((e) => e.textContent));
  assert.deepEqual(names.sort(), layout.complexes.features.map((f) => f.properties.name_ko).sort());
});

test('the caveat of synthetic data is shown on the map in the chosen language', async () => {
  const inMap = await page.$eval('#caveat', (el) => Boolean(el.closest('#map-wrap')) && el.offsetParent !== null);
  assert.ok(inMap, 'caveat box inside the map area and visible');
  const text = await page.textContent('#caveat');
  assert.ok(text.includes(meta.caveat.ko), `caveat: ${text}`);
});

test('moving the slider changes the hour label and the facility colours to the frame of that hour', async () => {
  const before0 = await page.textContent('#hour-label');
  const statesBefore = await facilityStates();
  const hour = 24 * 190 + 11;   // a July workday morning
  await page.fill('#hour-slider', String(hour));
  await waitShown(hour);
  const label = await page.textContent('#hour-label');
  assert.notEqual(label, before0);
  assert.equal(await page.getAttribute('#hour-label', 'data-hour'), String(hour));
  assert.match(label, /2026-07-10 \(금\) 11:00 KST/);
  const statesAfter = await facilityStates();
  assert.ok(statesAfter.some((v, i) => v !== statesBefore[i]), 'some facility colour changed');
  const q = await page.evaluate(() => window.sandanView.state.quantity);
  const frame = await api(`/api/frame?run=${encodeURIComponent(meta.runs[0].id)}&layer=facilities&quantity=${q}&hour=${hour}&format=json`);
  frame.values.forEach((v, i) => {
    if (v !== null) assert.ok(Math.abs(statesAfter[i] - v) <= 1e-3 * Math.max(1, Math.abs(v)), `facility ${i}: ${statesAfter[i]} vs ${v}`);
  });
});

test('clicking an alarm flies the map to its place, sets its worst hour and highlights the feature', async () => {
  const items = await page.$$('.alarm-item');
  assert.ok(items.length > 0, 'the baseline has alarms');
  const a = await page.$eval('.alarm-item', (el) => ({ ...el.dataset }));
  await page.click('.alarm-item');
  await waitShown(Number(a.hour));
  await waitMapStill();
  const c = await page.evaluate(() => window.sandanView.map.getCenter().toArray());
  assert.ok(Math.abs(c[0] - Number(a.lon)) < 1e-4 && Math.abs(c[1] - Number(a.lat)) < 1e-4, `centre ${c} vs alarm ${a.lon},${a.lat}`);
  assert.equal(await page.getAttribute('#hour-label', 'data-hour'), a.hour);
  assert.equal(await page.inputValue('#hour-slider'), a.hour);
  const selected = await page.evaluate(() => window.sandanView.state.selected);
  assert.deepEqual(selected, { layer: a.layer, feature: Number(a.feature) });
  if (a.layer !== 'roads') {
    const hl = await page.evaluate((x) => window.sandanView.map.getFeatureState({ source: x.layer, id: Number(x.feature) }).hl, a);
    assert.equal(hl, true);
  }
});

test('the language switch changes the labels: Korean by default, English after the switch', async () => {
  assert.equal(await page.textContent('h1'), '산단 통합관제센터');
  assert.ok((await page.textContent('#alarm-panel h2')).includes('경보'));
  await page.click('#lang-switch');
  assert.equal(await page.getAttribute('#lang-switch', 'data-lang'), 'en');
  assert.equal(await page.textContent('h1'), 'Sandan control centre');
  assert.equal(await page.locator('text=산단 통합관제센터').count(), 0, 'Korean heading gone');
  assert.ok((await page.textContent('#caveat')).includes(meta.caveat.en));
  const names = await page.$$eval('.complex-label', (els) => els.map((e) => e.textContent));
  assert.ok(names.every((n) => /^[\x20-\x7e]+$/.test(n)), `English complex names: ${names}`);
  assert.match(await page.textContent('#hour-label'), /\((Mon|Tue|Wed|Thu|Fri|Sat|Sun)\)/);
  await page.click('#chart-close');
  await page.evaluate(() => window.sandanView.map.fitBounds(window.sandanView.layout.bounds, { padding: { top: 110, bottom: 30, left: 130, right: 260 }, duration: 0 }));
  await waitMapStill();
  await page.screenshot({ path: path.join(shots, 'view-en.png') });
  await page.click('#lang-switch');
  assert.equal(await page.textContent('h1'), '산단 통합관제센터');
  assert.equal(await page.locator('text=Sandan control centre').count(), 0, 'English heading gone');
});

test('difference mode rooftop PV (B) − baseline (A) shows negative import on PV roofs, in the negative colour', async () => {
  const [A, B] = [meta.runs[0].id, meta.runs[1].id];
  assert.match(B, /rooftop_pv/);
  await page.click('#chart-close').catch(() => {});
  await page.check('#diff-toggle');
  await page.selectOption('#run-select', B);
  await page.selectOption('#base-select', A);
  await page.selectOption('#quantity-select', 'import_kw');
  const hour = 24 * 134 + 12;   // noon, 15 May (a Friday)
  await page.fill('#hour-slider', String(hour));
  await waitShown(hour);
  await page.waitForFunction(([b, a]) => window.sandanView.state.run === b && window.sandanView.state.base === a, [B, A]);
  const diff = (await api(`/api/frame?run=${B}&layer=facilities&quantity=import_kw&hour=${hour}&base=${A}&format=json`)).values;
  const pv = (await api(`/api/frame?run=${B}&layer=facilities&quantity=pv_kw&hour=${hour}&format=json`)).values;
  const withPv = pv.map((v, i) => (v !== null && v > 1 ? i : -1)).filter((i) => i >= 0);
  assert.ok(withPv.length > 0, 'facilities with PV at noon');
  const negative = withPv.filter((i) => diff[i] < 0);
  assert.ok(negative.length > 0, 'import lower with PV');
  for (const i of withPv) assert.ok(diff[i] <= 1e-3, `facility ${i} with PV: import B − A = ${diff[i]}`);
  const noPv = pv.map((v, i) => (v === 0 ? i : -1)).filter((i) => i >= 0);
  for (const i of noPv) assert.ok(Math.abs(diff[i] ?? 0) <= 1e-3, `facility ${i} without PV: import B − A = ${diff[i]}`);

  const states = await facilityStates();
  for (const i of negative) assert.ok(states[i] < 0, `facility ${i} on the map: ${states[i]}`);
  const stops = await page.evaluate(() => window.sandanView.stops('facilities'));
  assert.ok(stops[0][0] < 0 && Math.abs(stops[0][0] + stops[stops.length - 1][0]) < 1e-9, `symmetric scale ${JSON.stringify(stops)}`);
  assert.equal(stops[Math.floor(stops.length / 2)][0], 0);
  // the most negative facility is drawn in the blue end of the diverging scale
  const most = negative.reduce((m, i) => (diff[i] < diff[m] ? i : m), negative[0]);
  const [r, g, b] = await facilityPixel(most);
  assert.ok(b > r + 40, `facility ${most} (B − A ${diff[most]}) drawn blue: rgb(${r},${g},${b})`);
  const legend = await page.textContent('#map-legend');
  assert.ok(legend.includes('B − A'), legend);
  await page.evaluate((i) => {
    const v = window.sandanView;
    const f = v.layout.facilities.features[i];
    const ring = f.geometry.type === 'Polygon' ? f.geometry.coordinates[0] : f.geometry.coordinates[0][0];
    v.map.jumpTo({ center: ring[0], zoom: 14.5 });
  }, most);
  await waitMapStill();
  await page.screenshot({ path: path.join(shots, 'view-difference.png') });
});

test('clicking a facility opens its chart with axes, unit and legend, B and A overlaid', async () => {
  const id = await page.evaluate(() => {
    const v = window.sandanView;
    const values = v.values('facilities');
    let best = 0;
    values.forEach((x, i) => { if (x < values[best]) best = i; });
    return best;
  });
  const xy = await page.evaluate((fid) => {
    const v = window.sandanView;
    const f = v.layout.facilities.features[fid];
    const ring = f.geometry.type === 'Polygon' ? f.geometry.coordinates[0] : f.geometry.coordinates[0][0];
    let x = 0; let y = 0;
    const pts = ring.slice(0, -1);
    for (const [a, b] of pts) { x += a; y += b; }
    const c = [x / pts.length, y / pts.length];
    v.map.jumpTo({ center: c, zoom: 17 });
    return c;
  }, id);
  await waitMapStill();
  const p = await page.evaluate((c) => window.sandanView.map.project(c), xy);
  const box = await page.$eval('#map', (el) => { const r = el.getBoundingClientRect(); return { x: r.left, y: r.top }; });
  await page.mouse.click(box.x + p.x, box.y + p.y);
  await page.waitForSelector('#chart-panel:not([hidden]) path[data-series="b"]');
  assert.equal(await page.getAttribute('#chart-panel', 'data-layer'), 'facilities');
  assert.equal(await page.getAttribute('#chart-panel', 'data-feature'), String(id));
  await page.click('#chart-panel button[data-range="week"]');
  await page.waitForFunction(() => !document.querySelector('#chart').dataset.loading && document.querySelectorAll('#chart path.series').length >= 2);
  const d = await page.getAttribute('#chart path[data-series="b"]', 'd');
  assert.ok(d && d.split('L').length > 100, 'a week of hourly points');
  assert.ok(await page.$('#chart path[data-series="a"]'), 'A overlaid');
  const legend = await page.textContent('#chart .chart-legend');
  assert.ok(legend.includes('kW') && legend.includes('B:') && legend.includes('A:'), legend);
  const ticks = await page.$$eval('#chart svg text', (els) => els.length);
  assert.ok(ticks > 8, 'axis labels');
  await page.evaluate(() => window.sandanView.map.zoomTo(15, { duration: 0 }));
  await waitMapStill();
  await page.screenshot({ path: path.join(shots, 'view-chart.png') });
  assert.deepEqual(problems, []);
});

test('the shift change colours each road by its queue at the chosen time, with its summary and the busiest gate', async () => {
  const A = meta.runs[0].id;
  assert.ok(meta.runs[0].has_dynamic, 'the baseline has traffic.dynamic');
  await page.click('#chart-close').catch(() => {});
  await page.uncheck('#diff-toggle');
  await page.selectOption('#run-select', A);
  await page.waitForFunction((a) => window.sandanView.state.run === a && !document.querySelector('#dynamic-panel').hidden, A);
  const d = await api(`/api/dynamic?run=${A}`);
  await page.check('#dyn-toggle');
  await page.waitForFunction(() => document.body.dataset.dynamic === '1');
  // The step with the most vehicles queued, then one step on: the map follows the slider.
  const peak = d.queued_veh.reduce((b, v, i) => (v > d.queued_veh[b] ? i : b), 0);
  const step = (peak + 1) % d.time_s.length;
  await page.fill('#dyn-slider', String(step));
  await page.waitForFunction((s) => document.body.dataset.dynStep === String(s), step);
  const expected = await page.evaluate(async ([run, s]) => {
    const r = await fetch(`/api/dynamic_frame?run=${run}&step=${s}`);
    return Array.from(new Float32Array(await r.arrayBuffer()));
  }, [A, step]);
  await page.waitForFunction((n) => (window.sandanView.values('roads') || []).length === n, expected.length);
  const shown = await page.evaluate(() => window.sandanView.values('roads'));
  assert.deepEqual(shown.map((v) => (Number.isNaN(v) ? null : v)), expected.map((v) => (Number.isNaN(v) ? null : v)));
  assert.ok(await page.$('#map-legend .legend[data-quantity="queue_m"]'), 'queue legend');
  const summary = await page.textContent('#dyn-summary');
  assert.ok(summary.includes('통근') && summary.includes('진출입'), summary);   // the page is in Korean here
  assert.ok(summary.includes(d.busiest_gate.replace(/^gate:/, '')) || summary.includes('IC') || summary.includes('역'), summary);
  assert.ok(await page.$('#dyn-chart svg path'), 'queue chart');
  // Around the road with the longest queue shown.
  const longest = shown.reduce((b, v, i) => ((v || 0) > (shown[b] || 0) ? i : b), 0);
  await page.evaluate((i) => {
    const v = window.sandanView;
    const g = v.layout.roads.features[i].geometry;
    const line = g.type === 'LineString' ? g.coordinates : g.coordinates[0];
    v.map.jumpTo({ center: line[Math.floor(line.length / 2)], zoom: 14 });
  }, longest);
  await waitMapStill();
  await page.screenshot({ path: path.join(shots, 'view-shift-change.png') });
  await page.uncheck('#dyn-toggle');
  await page.waitForFunction(() => document.body.dataset.dynamic === '0');
  assert.deepEqual(problems, []);
});

test('paths outside web/src get 404', async () => {
  for (const p of ['/../CMakeLists.txt', '/%2e%2e/%2e%2e/etc/passwd', '/vendor/../../CMakeLists.txt',
    '/..%2fCMakeLists.txt', '/vendor/maplibre-gl.js.map', '/.gitignore', '/tests/view.test.mjs']) {
    const r = await rawGet(p);
    assert.equal(r.status, 404, `${p}: HTTP ${r.status}`);
    assert.ok(!r.body.includes('cmake_minimum_required') && !r.body.includes('root:'), `${p} leaked a file`);
  }
  assert.equal((await rawGet('/app.js')).status, 200);
  assert.equal((await rawGet('/vendor/maplibre-gl.css')).status, 200);
});

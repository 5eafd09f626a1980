// The control-centre view in headless Chromium: time to the first coloured map, time to switch the
// hour, and the bytes of frames sent a step. Run from the repository root:
//   node bench/view_bench.mjs [RESULTS.h5] [--steps 50] [--loads 5]
// Without RESULTS.h5 it runs scenarios/baseline.yaml into a temporary folder first. Needs web/node_modules
// (bash tools/setup.sh) and a built sandan (SANDAN_BIN, default build/release/cli/sandan).
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { chromium } = createRequire(path.join(root, 'web', 'package.json'))('playwright-core');
const args = process.argv.slice(2);
const opt = (name, dflt) => { const i = args.indexOf(name); return i >= 0 ? Number(args.splice(i, 2)[1]) : dflt; };
const steps = opt('--steps', 50);
const loads = opt('--loads', 5);
const bin = path.resolve(root, process.env.SANDAN_BIN || 'build/release/cli/sandan');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'sandan-view-bench-'));
let results = args[0];
if (!results) {
  results = path.join(work, 'baseline.h5');
  execFileSync(bin, ['run', 'scenarios/baseline.yaml', '-o', results], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
}
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };

const server = spawn(bin, ['serve', results, '--port', '0'], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
process.on('exit', () => server.kill('SIGTERM'));
const url = await new Promise((resolve, reject) => {
  let out = '';
  server.stdout.on('data', (d) => { out += d; const m = /serving (http:\/\/\S+)/.exec(out); if (m) resolve(m[1]); });
  server.on('exit', (c) => reject(new Error(`sandan serve exited (${c})`)));
});
const browser = await chromium.launch({ executablePath: process.env.SANDAN_CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
try {
  const firstMap = [];
  for (let i = 0; i < loads; i++) {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(url);
    firstMap.push(await page.evaluate(() => window.sandanView.ready.then(() => performance.now())));
    await page.close();
  }
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(url);
  await page.evaluate(() => window.sandanView.ready);
  await page.fill('#hour-slider', '4000');
  await page.waitForFunction(() => window.sandanView.state.shownHour === 4000);
  const bodies = [];
  page.on('response', (r) => { if (r.url().includes('/api/frame')) bodies.push(r.body().then((b) => b.length)); });
  const times = await page.evaluate(async (n) => {
    const v = window.sandanView;
    const out = [];
    for (let k = 0; k < n; k++) {
      const h = v.state.hour + 1;
      const t0 = performance.now();
      document.querySelector('#step-fwd').click();
      await new Promise((res) => { const f = () => (v.state.shownHour === h ? res() : requestAnimationFrame(f)); f(); });
      out.push(performance.now() - t0);
    }
    return out;
  }, steps);
  const sizes = await Promise.all(bodies);
  const frameRequests = sizes.length;
  const frameBytes = sizes.reduce((a, b) => a + b, 0);
  const size = fs.statSync(results).size;
  console.log(`results file: ${(size / 1e6).toFixed(0)} MB`);
  console.log(`time to first map (navigation start -> sandanView.ready): first ${firstMap[0].toFixed(0)} ms, median of ${loads} ${median(firstMap).toFixed(0)} ms, min ${Math.min(...firstMap).toFixed(0)} ms`);
  console.log(`time to switch hour (step -> colours drawn), ${steps} steps: median ${median(times).toFixed(0)} ms, min ${Math.min(...times).toFixed(0)} ms, max ${Math.max(...times).toFixed(0)} ms`);
  console.log(`frames a step: ${(frameRequests / steps).toFixed(1)} requests, ${(frameBytes / steps / 1024).toFixed(1)} KiB of float32 bodies`);
} finally {
  await browser.close();
  server.kill('SIGTERM');
  fs.rmSync(work, { recursive: true, force: true });
}

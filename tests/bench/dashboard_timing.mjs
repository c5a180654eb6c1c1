// Loads each dashboard view in headless Chromium against a running llmtapd and prints, per
// view: first contentful paint, the time until the view has drawn all its data, and the
// slowest of the /api/v1/ requests the view made: as the browser saw it (resource timing, wall
// time over loopback, which includes waiting for a CPU on a busy machine) and as the collector
// spent it (its Server-Timing header). Each view is loaded RUNS times in a fresh page; the
// figures are medians, and "max" is the slowest request of any run.
//
//   LLMTAP_HTTP_ADDR=127.0.0.1:7318 node tests/bench/dashboard_timing.mjs
//   scripts/bench_dashboard.sh        # against bench_query's 1,000,000-sample data set
//
// Exits 1 when a view fails to render, or (with LLMTAP_BENCH_STRICT=1) when a median first
// paint of the overview passes 500 ms or the collector takes over 50 ms on a request.
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const srcDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const { chromium } = createRequire(path.join(srcDir, 'web/package.json'))('playwright-core');
const base = `http://${process.env.LLMTAP_HTTP_ADDR || '127.0.0.1:7318'}/`;
const RUNS = Number(process.env.LLMTAP_BENCH_RUNS || 5);
const VIEWS = (process.env.LLMTAP_BENCH_VIEWS || [
  'view=overview',
  'view=overview&range=7d',
  'view=overview&range=30d',
  'view=overview&range=7d&group=model',
  'view=overview&range=30d&group=variant',
  'view=compare&range=7d',
  'view=samples',
  'view=rubrics&range=30d',
  'view=alerts',
].join(' ')).split(' ');

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)];
};

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'],
});
let failed = false;
const rows = [];
try {
  // One warm-up load: the browser's own start-up is not the page's.
  const warm = await browser.newPage();
  await warm.goto(base);
  await warm.close();
  for (const view of VIEWS) {
    const fcp = [];
    const ready = [];
    const reqMedian = [];
    let reqMax = 0;
    let serverMax = 0;
    let slowest = '';
    let serverSlowest = '';
    let requests = 0;
    for (let run = 0; run < RUNS; run++) {
      const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
      const page = await context.newPage();
      const t0 = Date.now();
      await page.goto(`${base}?${view}`);
      await page.waitForFunction(() => document.body.dataset.state !== 'loading', null,
        { timeout: 30000 });
      const readyMs = Date.now() - t0;
      const m = await page.evaluate(() => ({
        fcp: performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? -1,
        state: document.body.dataset.state,
        error: document.getElementById('error-text').textContent,
        api: performance.getEntriesByType('resource').filter((e) => e.name.includes('/api/v1/'))
          .map((e) => ({ name: e.name.replace(/^.*\/api\/v1\//, ''),
            ms: e.responseEnd - e.requestStart,
            server: e.serverTiming.find((t) => t.name === 'app')?.duration ?? -1 })),
      }));
      if (m.state !== 'ready') {
        console.error(`${view}: ${m.state}: ${m.error}`);
        failed = true;
      }
      fcp.push(m.fcp);
      ready.push(readyMs);
      requests = m.api.length;
      for (const r of m.api) {
        if (r.ms > reqMax) {
          reqMax = r.ms;
          slowest = r.name;
        }
        if (r.server > serverMax) {
          serverMax = r.server;
          serverSlowest = r.name;
        }
      }
      if (m.api.length) reqMedian.push(median(m.api.map((r) => r.ms)));
      await context.close();
    }
    rows.push({ view, fcp: median(fcp), ready: median(ready), requests,
      reqMedian: reqMedian.length ? median(reqMedian) : 0, reqMax, slowest, serverMax,
      serverSlowest });
  }
} finally {
  await browser.close();
}

const pad = (s, n) => String(s).padEnd(n);
const num = (x, w) => x.toFixed(1).padStart(w);
console.log(`${pad('view', 38)} ${'FCP ms'.padStart(7)} ${'ready ms'.padStart(8)} ` +
  `${'reqs'.padStart(4)} ${'req p50'.padStart(7)} ${'req max'.padStart(7)} ` +
  `${'srv max'.padStart(7)}  slowest (browser / server)`);
for (const r of rows) {
  console.log(`${pad(r.view, 38)} ${num(r.fcp, 7)} ${num(r.ready, 8)} ` +
    `${String(r.requests).padStart(4)} ${num(r.reqMedian, 7)} ${num(r.reqMax, 7)} ` +
    `${num(r.serverMax, 7)}  ${r.slowest} / ${r.serverSlowest}`);
}
console.log(`(medians of ${RUNS} cold loads per view; "ready" = every panel drawn; "req": a ` +
  'request in the browser, from sending to the last byte; "srv": the collector\'s own time, ' +
  'from its Server-Timing header)');
if (process.env.LLMTAP_BENCH_STRICT === '1') {
  for (const r of rows) {
    if (r.view.startsWith('view=overview') && r.fcp > 500) failed = true;
    if (r.serverMax > 50) failed = true;
  }
}
process.exit(failed ? 1 : 0);

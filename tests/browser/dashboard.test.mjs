// The dashboard in a real browser against a real collector: starts llmtapd on free loopback
// ports with a temp data folder, ingests known samples with grpcurl, and drives headless
// Chromium (Debian's /usr/bin/chromium through playwright-core) over the page it serves.
//
// Run: node --test tests/browser/   (from the source folder; CTest test browser_dashboard)
// Env: LLMTAP_BIN_DIR  folder of llmtapd (default build-web/bin, then build/bin)
//      GRPCURL         the grpcurl binary (default $(go env GOPATH)/bin/grpcurl, then PATH)
//      CHROMIUM        the browser (default /usr/bin/chromium)
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const srcDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
// playwright-core lives in web/node_modules (ES modules ignore NODE_PATH).
const { chromium } = createRequire(path.join(srcDir, 'web/package.json'))('playwright-core');

const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];
const WAIT_MS = 10_000;

function findLlmtapd() {
  const dirs = [process.env.LLMTAP_BIN_DIR, path.join(srcDir, 'build-web/bin'),
    path.join(srcDir, 'build/bin')].filter(Boolean);
  for (const d of dirs) {
    const bin = path.join(d, 'llmtapd');
    if (existsSync(bin)) return bin;
  }
  throw new Error(`llmtapd not found in ${dirs.join(', ')}; build it or set LLMTAP_BIN_DIR`);
}

function findGrpcurl() {
  if (process.env.GRPCURL) return process.env.GRPCURL;
  try {
    const gopath = execFileSync('go', ['env', 'GOPATH'], { encoding: 'utf8' }).trim();
    const bin = path.join(gopath, 'bin', 'grpcurl');
    if (existsSync(bin)) return bin;
  } catch {
    // No go: fall back to PATH.
  }
  return 'grpcurl';
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// A 32-hex id whose 48-bit prefix is the start time in ms, like the SDK's (UUIDv7 layout).
function sampleId(startMs, n) {
  return startMs.toString(16).padStart(12, '0') + n.toString(16).padStart(20, '0');
}

const T0_MS = 1_700_000_000_000;
let counter = 0;
function makeSample(offsetS, fields) {
  const startMs = T0_MS + offsetS * 1000;
  return {
    id: sampleId(startMs, ++counter),
    start_time_unix_nano: `${BigInt(startMs) * 1_000_000n}`,
    ...fields,
  };
}

const XSS_PROMPT = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script> hi';

// Every sample ingested so far; the dashboard must show exactly these.
const ingested = [];
const newestFirst = (samples) => [...samples].sort((a, b) =>
  a.start_time_unix_nano === b.start_time_unix_nano
    ? (a.id < b.id ? 1 : -1)
    : (BigInt(b.start_time_unix_nano) > BigInt(a.start_time_unix_nano) ? 1 : -1));
const idsOf = (samples) => newestFirst(samples).map((s) => s.id);

describe('dashboard', () => {
  let tmp;
  let daemon;
  let daemonLog = '';
  let ports;
  let grpcurl;
  let context;
  let page;
  const pageErrors = [];
  let dialogs = 0;

  function ingest(samples) {
    const out = execFileSync(grpcurl, ['-plaintext', '-d', '@', `127.0.0.1:${ports.grpc_port}`,
      'llmtap.v1.IngestService/Ingest'], { input: JSON.stringify({ samples }), encoding: 'utf8' });
    const res = JSON.parse(out);
    assert.equal(res.accepted, samples.length, `ingest answered ${out}`);
    ingested.push(...samples);
  }

  const url = (query = '') => `http://127.0.0.1:${ports.http_port}/${query}`;

  const rowIds = () => page.$$eval('#samples tbody tr', (rows) => rows.map((r) => r.dataset.id));

  // Waits until the table shows `ids` in order; fails showing what it shows instead.
  async function expectRows(ids) {
    const deadline = Date.now() + WAIT_MS;
    let got;
    while (Date.now() < deadline) {
      got = await rowIds();
      if (JSON.stringify(got) === JSON.stringify(ids)) return;
      await sleep(50);
    }
    assert.deepEqual(got, ids, 'rows in the samples table');
  }

  async function setFilter({ app = '', model = '', variant = '' }) {
    await page.fill('#filter-app', app);
    await page.fill('#filter-model', model);
    await page.fill('#filter-variant', variant);
    await page.click('#apply');
  }

  before(async () => {
    tmp = mkdtempSync(path.join(tmpdir(), 'llmtap-browser-'));
    const ready = path.join(tmp, 'ready.json');
    daemon = spawn(findLlmtapd(), [`--data_dir=${path.join(tmp, 'data')}`,
      '--grpc_addr=127.0.0.1:0', '--http_addr=127.0.0.1:0', `--ready_file=${ready}`],
    { stdio: ['ignore', 'pipe', 'pipe'] });
    daemon.stdout.on('data', (d) => { daemonLog += d; });
    daemon.stderr.on('data', (d) => { daemonLog += d; });
    // Whatever happens to this process, the daemon does not outlive it.
    process.on('exit', () => daemon.kill('SIGKILL'));
    const deadline = Date.now() + 20_000;
    while (!existsSync(ready)) {
      if (daemon.exitCode !== null) throw new Error(`llmtapd exited early:\n${daemonLog}`);
      if (Date.now() > deadline) throw new Error(`llmtapd not ready in 20 s:\n${daemonLog}`);
      await sleep(50);
    }
    ports = JSON.parse(readFileSync(ready, 'utf8'));
    grpcurl = findGrpcurl();

    ingest([
      makeSample(0, { app: 'demo', model: 'm1', prompt: 'What is 2+2?', response: 'Four.',
        latency_ms: 12.5 }),
      makeSample(1, { app: 'demo', model: 'm2', prompt: 'Capital of France?',
        response: 'Paris.', latency_ms: 40, contexts: ['France is a country in Europe.',
          'Its capital is Paris.'], metadata: { tenant: 'acme', region: 'eu' },
        input_tokens: 11, output_tokens: 2 }),
      makeSample(2, { app: 'other', model: 'm1', variant: 'shadow', prompt: 'Say hi',
        response: 'hi', latency_ms: 7 }),
      makeSample(3, { app: 'demo', model: 'm1', prompt: XSS_PROMPT,
        response: '<b>bold?</b> & "quoted"', latency_ms: 25.25 }),
      makeSample(4, { app: 'demo', model: 'm1', prompt: 'Broken call', response: '',
        status: 'CALL_STATUS_ERROR', error: 'upstream 503', latency_ms: 3000 }),
    ]);

    context = await chromium.launchPersistentContext(path.join(tmp, 'chromium-profile'), {
      executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
      headless: true,
      args: CHROMIUM_ARGS,
    });
    page = context.pages()[0] ?? await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.on('dialog', (d) => { dialogs++; d.dismiss(); });
    // The page must load nothing from anywhere but the collector.
    await context.route((u) => !u.href.startsWith(url()), (route) => {
      pageErrors.push(`request outside the collector: ${route.request().url()}`);
      route.abort();
    });
  });

  after(async () => {
    try {
      if (context) await context.close();
    } finally {
      if (daemon && daemon.exitCode === null) {
        daemon.kill('SIGTERM');
        const exited = new Promise((r) => daemon.once('exit', r));
        await Promise.race([exited, sleep(5000)]);
        if (daemon.exitCode === null && daemon.signalCode === null) daemon.kill('SIGKILL');
      }
      if (tmp) rmSync(tmp, { recursive: true, force: true });
    }
  });

  test('serves the page and Chart.js itself', async () => {
    const res = await page.goto(url());
    assert.equal(res.status(), 200);
    const vendor = await page.request.get(url('vendor/chart.umd.js'));
    assert.equal(vendor.status(), 200);
    assert.match(vendor.headers()['content-type'], /javascript/);
    assert.equal(await page.evaluate(() => typeof window.Chart), 'function');
    assert.match(await page.textContent('#collector-name'), new RegExp(`${ports.http_port}`));
  });

  test('the table shows exactly the ingested samples, newest first', async () => {
    await expectRows(idsOf(ingested));
    const first = await page.$$eval('#samples tbody tr:first-child td', (tds) =>
      tds.map((td) => td.textContent));
    assert.equal(first[1], 'demo');
    assert.equal(first[4], 'error');
    assert.equal(first[5], '3000.0');
    assert.equal(await page.isHidden('#error-bar'), true);
  });

  test('the latency chart plots one point per sample on the page', async () => {
    const chart = await page.evaluate(() => {
      const c = window.Chart.getChart(document.getElementById('latency-chart'));
      const canvas = document.getElementById('latency-chart');
      return c && { type: c.config.type, data: c.data.datasets[0].data,
        width: canvas.width, height: canvas.height };
    });
    assert.ok(chart, 'a Chart instance on #latency-chart');
    assert.equal(chart.type, 'line');
    // Oldest to newest, left to right.
    assert.deepEqual(chart.data, [12.5, 40, 7, 25.25, 3000]);
    assert.ok(chart.width > 0 && chart.height > 0, 'the canvas has a size');
  });

  test('filtering by app and model narrows the table', async () => {
    await setFilter({ app: 'demo' });
    await expectRows(idsOf(ingested.filter((s) => s.app === 'demo')));
    await setFilter({ app: 'demo', model: 'm1' });
    await expectRows(idsOf(ingested.filter((s) => s.app === 'demo' && s.model === 'm1')));
    assert.match(page.url(), /app=demo/);
    await setFilter({ variant: 'shadow' });
    await expectRows(idsOf(ingested.filter((s) => s.variant === 'shadow')));
    assert.equal(await page.evaluate(() =>
      window.Chart.getChart(document.getElementById('latency-chart')).data.datasets[0].data.length),
    1);
    await page.click('#clear');
    await expectRows(idsOf(ingested));
  });

  test('clicking a row shows the sample in detail', async () => {
    const s = ingested[1];
    await page.click(`#samples tbody tr[data-id="${s.id}"]`);
    await page.waitForSelector('#detail:not([hidden])', { timeout: WAIT_MS });
    await page.waitForFunction((id) => document.getElementById('detail-id').textContent === id,
      s.id, { timeout: WAIT_MS });
    assert.equal(await page.textContent('#detail pre.prompt'), s.prompt);
    assert.equal(await page.textContent('#detail pre.response'), s.response);
    const detail = await page.textContent('#detail-body');
    for (const c of s.contexts) assert.ok(detail.includes(c), `context "${c}" shown`);
    assert.ok(detail.includes('tenant') && detail.includes('acme'), 'metadata shown');
    assert.ok(detail.includes('Not scored.'), 'no scores yet');
    assert.equal(await page.getAttribute(`#samples tbody tr[data-id="${s.id}"]`, 'class'),
      'selected');
    await page.click('#detail-close');
    assert.equal(await page.isHidden('#detail'), true);
  });

  test('an API error shows in the error bar, and goes away once the query works', async () => {
    await setFilter({ app: 'x'.repeat(300) });
    await page.waitForSelector('#error-bar:not([hidden])', { timeout: WAIT_MS });
    const text = await page.textContent('#error-text');
    assert.match(text, /ListSamples/);
    assert.match(text, /filter/);
    assert.match(text, /HTTP 400/);
    await page.click('#clear');
    await page.waitForSelector('#error-bar', { state: 'hidden', timeout: WAIT_MS });
    await expectRows(idsOf(ingested));
  });

  test('a prompt with HTML is shown as text, never run', async () => {
    const s = ingested.find((x) => x.prompt === XSS_PROMPT);
    await page.click(`#samples tbody tr[data-id="${s.id}"]`);
    await page.waitForFunction((id) => document.getElementById('detail-id').textContent === id,
      s.id, { timeout: WAIT_MS });
    assert.equal(await page.textContent('#detail pre.prompt'), XSS_PROMPT);
    assert.equal(await page.textContent('#detail pre.response'), s.response);
    assert.ok((await page.textContent(`#samples tbody tr[data-id="${s.id}"] td.prompt`))
      .startsWith('<img src=x'));
    assert.equal(await page.$$eval('#samples img, #detail img, #samples script, #detail script',
      (n) => n.length), 0);
    await sleep(200);
    assert.equal(await page.evaluate(() => window.__xss), undefined);
    assert.equal(dialogs, 0);
    await page.click('#detail-close');
  });

  test('the older button pages through with nextPageToken', async () => {
    await page.goto(url('?pageSize=2'));
    const all = idsOf(ingested);
    await expectRows(all.slice(0, 2));
    assert.equal(await page.isDisabled('#newer'), true);
    await page.click('#older');
    await expectRows(all.slice(2, 4));
    await page.click('#older');
    await expectRows(all.slice(4, 6));
    assert.equal(await page.isDisabled('#older'), true, 'the last page has no older page');
    await page.click('#newer');
    await expectRows(all.slice(2, 4));
    await page.click('#newest');
    await expectRows(all.slice(0, 2));
  });

  test('auto-refresh shows new samples, and pauses when unticked', async () => {
    await page.goto(url('?refresh=1'));
    await expectRows(idsOf(ingested));
    ingest([makeSample(10, { app: 'demo', model: 'm3', prompt: 'late', latency_ms: 5 })]);
    await expectRows(idsOf(ingested)); // Within WAIT_MS, by the 1 s refresh.

    await page.uncheck('#auto-refresh');
    const shown = idsOf(ingested);
    ingest([makeSample(11, { app: 'demo', model: 'm3', prompt: 'later', latency_ms: 6 })]);
    await sleep(2500);
    assert.deepEqual(await rowIds(), shown, 'paused: no refresh');
    await page.check('#auto-refresh');
    await expectRows(idsOf(ingested));
  });

  test('the page raised no script errors and loaded nothing from outside', () => {
    assert.deepEqual(pageErrors, []);
  });
});

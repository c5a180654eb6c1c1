// The llmtap dashboard: latest samples with filters and paging, one sample's detail, and a
// latency chart. Talks only to the collector's HTTP JSON API (POST /api/v1/<Method>, bodies in
// protobuf's JSON mapping). Sample text is untrusted: it reaches the page only as text nodes
// (textContent), never as HTML.
//
// URL parameters (all optional): app, model, variant (the filter), pageSize (1..1000,
// default 50), refresh (seconds between auto-refreshes, default 5).

const Chart = window.Chart;

const params = new URLSearchParams(location.search);
const PAGE_SIZE = clampInt(params.get('pageSize'), 1, 1000, 50);
const REFRESH_MS = clampInt(params.get('refresh'), 1, 3600, 5) * 1000;
const FILTER_FIELDS = ['app', 'model', 'variant'];

const $ = (id) => document.getElementById(id);

// What the page shows. `tokens[i]` is the page token of page i; page 0 is the newest.
const state = {
  filter: {},
  tokens: [''],
  page: 0,
  nextPageToken: '',
  samples: [],
  selectedId: '',
  listSeq: 0,
  detailSeq: 0,
  loading: false,
  timer: 0,
  seen: { app: new Set(), model: new Set(), variant: new Set() },
  errorSource: '',
};

let chart = null;

// ---------------------------------------------------------------------------------------------
// API

class ApiError extends Error {}

// POSTs `body` to /api/v1/<method>; resolves to the parsed response, or throws an ApiError
// whose message names the method, the collector's message and its code.
async function api(method, body) {
  let res;
  try {
    res = await fetch(`/api/v1/${method}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
  } catch (e) {
    throw new ApiError(`${method}: cannot reach the collector (${e.message})`);
  }
  const text = await res.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : {};
  } catch {
    // Not JSON: reported below when the status is an error, otherwise an error of its own.
  }
  if (!res.ok) {
    const msg = json && json.message ? json.message : text.trim() || res.statusText;
    const code = json && json.code !== undefined ? `code ${json.code}, ` : '';
    throw new ApiError(`${method}: ${msg} (${code}HTTP ${res.status})`);
  }
  if (json === null) throw new ApiError(`${method}: the answer is not JSON`);
  return json;
}

// ---------------------------------------------------------------------------------------------
// Small helpers

function clampInt(s, lo, hi, dflt) {
  const n = Number.parseInt(s ?? '', 10);
  return Number.isFinite(n) ? Math.min(hi, Math.max(lo, n)) : dflt;
}

// Creates an element. `props` are assigned as properties (className, title, ...) except
// `dataset`; children are nodes or strings, and strings become text nodes.
function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k === 'dataset') Object.assign(node.dataset, v);
    else node[k] = v;
  }
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

// int64 fields arrive as decimal strings; nanoseconds to a Date.
function nanosToDate(ns) {
  if (!ns) return null;
  try {
    return new Date(Number(BigInt(ns) / 1000000n));
  } catch {
    return null;
  }
}

function formatTime(ns) {
  const d = nanosToDate(ns);
  return d ? d.toISOString().replace('T', ' ').replace('Z', '') : '';
}

function formatNumber(x, digits = 1) {
  return typeof x === 'number' ? x.toFixed(digits) : '0';
}

function shorten(s, n) {
  const one = (s || '').replace(/\s+/g, ' ').trim();
  return one.length > n ? `${one.slice(0, n - 1)}…` : one;
}

function statusName(s) {
  return s === 'CALL_STATUS_ERROR' ? 'error' : 'ok';
}

function variantName(v) {
  return v || 'production';
}

// ---------------------------------------------------------------------------------------------
// Error bar

function showError(source, message) {
  state.errorSource = source;
  $('error-text').textContent = message;
  $('error-bar').hidden = false;
  document.body.dataset.state = 'error';
}

function clearError(source) {
  if (source && state.errorSource !== source) return;
  state.errorSource = '';
  $('error-bar').hidden = true;
  $('error-text').textContent = '';
}

// ---------------------------------------------------------------------------------------------
// Samples list

function currentRequest() {
  const filter = {};
  for (const f of FILTER_FIELDS) if (state.filter[f]) filter[f] = state.filter[f];
  const req = { filter, pageSize: PAGE_SIZE, withScores: true };
  if (state.tokens[state.page]) req.pageToken = state.tokens[state.page];
  return req;
}

async function loadSamples() {
  const seq = ++state.listSeq;
  state.loading = true;
  document.body.dataset.state = 'loading';
  try {
    const res = await api('ListSamples', currentRequest());
    if (seq !== state.listSeq) return; // A newer request superseded this one.
    state.samples = (res.samples || []).filter((s) => s && s.sample);
    state.nextPageToken = res.nextPageToken || '';
    renderSamples();
    renderChart();
    clearError('list');
    $('updated').textContent = `updated ${new Date().toLocaleTimeString()}`;
    document.body.dataset.state = 'ready';
  } catch (e) {
    if (seq !== state.listSeq) return;
    showError('list', e.message);
  } finally {
    if (seq === state.listSeq) state.loading = false;
  }
}

function scoreBadges(scores) {
  return (scores || []).map((sc) => {
    const st = sc.state || 'SCORE_STATE_UNSPECIFIED';
    if (st !== 'SCORE_STATE_SCORED') {
      const what = st === 'SCORE_STATE_SKIPPED' ? 'skipped' : 'error';
      return el('span', { className: `badge ${what}`, title: sc.error || what }, `${sc.rubric} ${what}`);
    }
    return el('span', { className: `badge ${sc.passed ? 'pass' : 'fail'}`, title: sc.reasoning || '' },
      `${sc.rubric} ${formatNumber(sc.value || 0, 2)}`);
  });
}

function renderSamples() {
  const tbody = $('samples').tBodies[0];
  const rows = state.samples.map(({ sample: s, scores }) => {
    for (const f of FILTER_FIELDS) if (s[f]) state.seen[f].add(s[f]);
    const tr = el('tr', { tabIndex: 0, dataset: { id: s.id } },
      el('td', { className: 'time' }, formatTime(s.startTimeUnixNano)),
      el('td', {}, s.app || ''),
      el('td', {}, s.model || ''),
      el('td', {}, variantName(s.variant)),
      el('td', { className: `status ${statusName(s.status)}` }, statusName(s.status)),
      el('td', { className: 'num' }, formatNumber(s.latencyMs || 0)),
      el('td', { className: 'prompt', title: shorten(s.prompt, 500) }, shorten(s.prompt, 80)),
      el('td', { className: 'scores' }, scoreBadges(scores)));
    if (s.id === state.selectedId) tr.classList.add('selected');
    return tr;
  });
  tbody.replaceChildren(...rows);
  $('empty').hidden = rows.length > 0;
  $('page-label').textContent = `page ${state.page + 1}`;
  $('older').disabled = !state.nextPageToken;
  $('newer').disabled = state.page === 0;
  $('newest').disabled = state.page === 0;
  for (const f of FILTER_FIELDS) {
    $(`${f}s`).replaceChildren(...[...state.seen[f]].sort().map((v) => el('option', { value: v })));
  }
}

// ---------------------------------------------------------------------------------------------
// Latency chart (per sample on the current page; a rollup-based trend comes later)

function renderChart() {
  if (!Chart) {
    showError('chart', 'Chart.js did not load (/vendor/chart.umd.js)');
    return;
  }
  const points = [...state.samples].reverse().map(({ sample: s }) => ({
    label: formatTime(s.startTimeUnixNano).slice(11, 19),
    y: s.latencyMs || 0,
  }));
  if (!chart) {
    chart = new Chart($('latency-chart'), {
      type: 'line',
      data: {
        labels: [],
        datasets: [{
          label: 'latency ms',
          data: [],
          borderColor: '#2563eb',
          backgroundColor: 'rgba(37, 99, 235, 0.15)',
          pointRadius: 3,
          tension: 0.2,
          fill: true,
        }],
      },
      options: {
        animation: false,
        maintainAspectRatio: false,
        plugins: { legend: { display: false } },
        scales: { y: { beginAtZero: true, title: { display: true, text: 'ms' } } },
      },
    });
  }
  chart.data.labels = points.map((p) => p.label);
  chart.data.datasets[0].data = points.map((p) => p.y);
  chart.update('none');
}

// ---------------------------------------------------------------------------------------------
// Detail panel

function section(title, ...content) {
  return el('section', { className: 'detail-section' }, el('h3', {}, title), ...content);
}

function textBlock(text, className = '') {
  return el('pre', { className: `text ${className}`.trim() }, text || '');
}

function keyValues(pairs) {
  return el('dl', { className: 'kv' }, pairs
    .filter(([, v]) => v !== '' && v !== null && v !== undefined)
    .map(([k, v]) => [el('dt', {}, k), el('dd', {}, String(v))]));
}

function scoresTable(scores) {
  if (!scores.length) return el('p', { className: 'muted' }, 'Not scored.');
  const head = el('tr', {}, ['rubric', 'state', 'value', 'passed', 'reasoning'].map((h) => el('th', {}, h)));
  const rows = scores.map((sc) => {
    const st = (sc.state || 'SCORE_STATE_UNSPECIFIED').replace('SCORE_STATE_', '').toLowerCase();
    const scored = st === 'scored';
    const why = [el('div', { className: 'reasoning' }, sc.reasoning || '')];
    if (sc.error) why.push(el('div', { className: 'score-error' }, sc.error));
    if (sc.rawOutput) {
      why.push(el('details', {}, el('summary', {}, 'raw judge output'), textBlock(sc.rawOutput)));
    }
    return el('tr', { className: scored ? (sc.passed ? 'pass' : 'fail') : st },
      el('td', {}, `${sc.rubric} v${sc.rubricVersion || 0}`),
      el('td', {}, st),
      el('td', { className: 'num' }, scored ? formatNumber(sc.value || 0, 3) : ''),
      el('td', {}, scored ? (sc.passed ? 'yes' : 'no') : ''),
      el('td', {}, why));
  });
  return el('table', { className: 'scores-table' }, el('thead', {}, head), el('tbody', {}, rows));
}

function renderDetail({ sample: s, scores }) {
  $('detail-id').textContent = s.id;
  const meta = Object.entries(s.metadata || {}).sort(([a], [b]) => a.localeCompare(b));
  const body = [
    keyValues([
      ['app', s.app], ['model', s.model], ['variant', variantName(s.variant)],
      ['session', s.sessionId], ['prompt version', s.promptVersion], ['pair id', s.pairId],
      ['status', statusName(s.status)], ['started (UTC)', formatTime(s.startTimeUnixNano)],
      ['received (UTC)', formatTime(s.receivedUnixNano)],
      ['latency ms', formatNumber(s.latencyMs || 0)],
      ['first token ms', s.timeToFirstTokenMs ? formatNumber(s.timeToFirstTokenMs) : ''],
      ['tokens in / out', `${s.inputTokens || 0} / ${s.outputTokens || 0}`],
      ['cost USD', s.costUsd ? s.costUsd.toFixed(6) : ''],
    ]),
  ];
  if (s.error) body.push(section('Error', textBlock(s.error, 'error')));
  body.push(section('Prompt', textBlock(s.prompt, 'prompt')));
  body.push(section('Response', textBlock(s.response, 'response')));
  if (s.reference) body.push(section('Reference', textBlock(s.reference, 'reference')));
  const contexts = s.contexts || [];
  if (contexts.length) {
    body.push(section(`Contexts (${contexts.length})`,
      el('ol', { className: 'contexts' }, contexts.map((c) => el('li', {}, textBlock(c))))));
  }
  if (meta.length) body.push(section('Metadata', keyValues(meta)));
  body.push(section('Scores', scoresTable(scores || [])));
  $('detail-body').replaceChildren(...body);
  $('detail').hidden = false;
}

async function openDetail(id) {
  state.selectedId = id;
  for (const tr of $('samples').tBodies[0].rows) {
    tr.classList.toggle('selected', tr.dataset.id === id);
  }
  const seq = ++state.detailSeq;
  try {
    const res = await api('GetSample', { id });
    if (seq !== state.detailSeq) return;
    if (!res.sample) throw new ApiError('GetSample: the answer has no sample');
    renderDetail(res);
    clearError('detail');
  } catch (e) {
    if (seq === state.detailSeq) showError('detail', e.message);
  }
}

function closeDetail() {
  state.selectedId = '';
  state.detailSeq++;
  $('detail').hidden = true;
  for (const tr of $('samples').tBodies[0].rows) tr.classList.remove('selected');
}

// ---------------------------------------------------------------------------------------------
// Filters, paging, refresh

function readFilterForm() {
  const filter = {};
  for (const f of FILTER_FIELDS) {
    const v = $(`filter-${f}`).value.trim();
    if (v) filter[f] = v;
  }
  return filter;
}

function writeUrl() {
  const p = new URLSearchParams(location.search);
  for (const f of FILTER_FIELDS) {
    if (state.filter[f]) p.set(f, state.filter[f]);
    else p.delete(f);
  }
  const q = p.toString();
  history.replaceState(null, '', q ? `?${q}` : location.pathname);
}

function applyFilter(filter) {
  state.filter = filter;
  state.tokens = [''];
  state.page = 0;
  writeUrl();
  loadSamples();
}

function goToPage(page) {
  state.page = page;
  state.tokens.length = page + 1;
  loadSamples();
}

function scheduleRefresh() {
  clearInterval(state.timer);
  state.timer = 0;
  if ($('auto-refresh').checked) {
    state.timer = setInterval(() => {
      if (!state.loading) loadSamples();
    }, REFRESH_MS);
  }
}

function init() {
  $('collector-name').textContent = `llmtapd @ ${location.host}`;
  document.title = `llmtap · ${location.host}`;
  $('auto-refresh').parentElement.append(` ${REFRESH_MS / 1000} s`);

  for (const f of FILTER_FIELDS) {
    const v = params.get(f) || '';
    $(`filter-${f}`).value = v;
    if (v) state.filter[f] = v;
  }

  $('filters').addEventListener('submit', (e) => {
    e.preventDefault();
    applyFilter(readFilterForm());
  });
  $('clear').addEventListener('click', () => {
    for (const f of FILTER_FIELDS) $(`filter-${f}`).value = '';
    applyFilter({});
  });
  $('older').addEventListener('click', () => {
    if (!state.nextPageToken) return;
    state.tokens[state.page + 1] = state.nextPageToken;
    goToPage(state.page + 1);
  });
  $('newer').addEventListener('click', () => {
    if (state.page > 0) goToPage(state.page - 1);
  });
  $('newest').addEventListener('click', () => goToPage(0));
  $('auto-refresh').addEventListener('change', scheduleRefresh);
  $('error-dismiss').addEventListener('click', () => clearError(''));
  $('detail-close').addEventListener('click', closeDetail);
  document.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && !$('detail').hidden) closeDetail();
  });

  const tbody = $('samples').tBodies[0];
  tbody.addEventListener('click', (e) => {
    const tr = e.target.closest('tr[data-id]');
    if (tr) openDetail(tr.dataset.id);
  });
  tbody.addEventListener('keydown', (e) => {
    const tr = e.target.closest('tr[data-id]');
    if (tr && (e.key === 'Enter' || e.key === ' ')) {
      e.preventDefault();
      openDetail(tr.dataset.id);
    }
  });

  loadSamples();
  scheduleRefresh();
}

init();

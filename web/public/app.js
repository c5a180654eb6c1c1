// The dashboard's shell: the filter bar (kept in the URL by state.js), the view navigation,
// the error bar and the completeness banner. Each view is a module in views/ exporting
// render(root, ctx); the shell renders the view named by the URL again whenever the URL
// changes (filter applied, link followed, back / forward).
import * as api from './api.js';
import * as charts from './charts.js';
import * as state from './state.js';

const $ = (id) => document.getElementById(id);
const FORM_KEYS = ['range', 'from', 'to', 'app', 'model', 'variant', 'pv', 'session', 'meta',
  'rubric', 'below', 'above'];

let renderSeq = 0;
let disposeView = null;

function showError(e) {
  $('error-text').textContent = e && e.message ? e.message : String(e);
  $('error-bar').hidden = false;
  document.body.dataset.state = 'error';
}

function clearError() {
  $('error-bar').hidden = true;
  $('error-text').textContent = '';
}

// ISO (UTC) <-> the value of an <input type="datetime-local"> read as UTC.
const isoToLocalInput = (iso) => (iso ? iso.replace(/Z$/, '').slice(0, 16) : '');
const localInputToIso = (v) => (v ? `${v}:00Z` : '');

function readUrlIntoForm() {
  for (const k of FORM_KEYS) {
    const input = $(`filter-${k}`);
    const v = state.get(k);
    if (k === 'range') input.value = v || '24h';
    else if (k === 'from' || k === 'to') input.value = isoToLocalInput(v);
    else input.value = v;
  }
  document.body.classList.toggle('range-custom', $('filter-range').value === 'custom');
}

function formChanges() {
  const changes = {};
  for (const k of FORM_KEYS) {
    let v = $(`filter-${k}`).value.trim();
    if (k === 'from' || k === 'to') v = localInputToIso(v);
    changes[k] = v;
  }
  if (changes.range === '24h') changes.range = '';
  if (changes.range !== 'custom') {
    changes.from = '';
    changes.to = '';
  }
  return changes;
}

function markNav(view) {
  for (const a of $('views').querySelectorAll('a')) {
    if (a.dataset.view === view) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
    // Links keep the current filter, so a middle-click opens the same filter in that view.
    const p = new URLSearchParams(location.search);
    p.set('view', a.dataset.view);
    p.delete('id');
    a.href = `?${p}`;
  }
}

async function loadView(name) {
  return import(`./views/${name}.js`);
}

async function render() {
  const seq = ++renderSeq;
  const name = state.view();
  readUrlIntoForm();
  markNav(name);
  document.body.dataset.view = name;
  document.body.dataset.state = 'loading';
  if (disposeView) disposeView();
  disposeView = null;
  charts.destroyAll();
  clearError();
  const root = $('view');
  root.replaceChildren();
  const ctx = {
    alive: () => seq === renderSeq,
    error: (e) => {
      if (seq === renderSeq) showError(e);
    },
    clearError,
    rerender: () => render(),
  };
  try {
    const mod = await loadView(name);
    if (seq !== renderSeq) return;
    disposeView = (await mod.render(root, ctx)) || null;
    if (seq === renderSeq && $('error-bar').hidden) document.body.dataset.state = 'ready';
  } catch (e) {
    if (seq === renderSeq) showError(e);
  }
  if (seq === renderSeq) refreshBanner(seq);
}

// The banner: shown when SDKs dropped samples or scoring skipped any, with the counts.
async function refreshBanner(seq) {
  const banner = $('completeness');
  try {
    const f = state.filter();
    const res = await api.completeness({ startUnixNano: f.startUnixNano,
      endUnixNano: f.endUnixNano, app: f.app, model: f.model, variant: f.variant });
    if (seq !== renderSeq) return;
    const parts = [];
    if (Number(res.sdkDropped || 0) > 0) {
      parts.push(`SDKs dropped ${Number(res.sdkDropped).toLocaleString('en-US')} samples ` +
        '(buffer full or collector unreachable)');
    }
    for (const r of res.rubrics || []) {
      const skipped = Object.entries(r.skipped || {});
      const total = skipped.reduce((a, [, n]) => a + Number(n), 0);
      if (total > 0) {
        parts.push(`${r.rubric}: scoring skipped ${total.toLocaleString('en-US')} (` +
          `${skipped.map(([why, n]) => `${why} ${n}`).join(', ')})`);
      }
    }
    banner.hidden = parts.length === 0;
    banner.replaceChildren(...parts.map((p) => Object.assign(document.createElement('div'),
      { textContent: p })));
  } catch {
    banner.hidden = true; // The view reports query errors; the banner is extra.
  }
}

// Known apps, models and variants for the filter's suggestions, from one rollup read each.
async function fillSuggestions() {
  const r = state.timeRange('', Date.now());
  const start = r.endMs - 30 * 86400e3;
  const filter = { startUnixNano: `${BigInt(start) * 1000000n}`,
    endUnixNano: `${BigInt(r.endMs) * 1000000n}` };
  const fill = async (groupBy, listId) => {
    const res = await api.trend({ filter, metric: 'METRIC_ERROR', bucketS: 86400 * 30, groupBy });
    $(listId).replaceChildren(...(res.series || []).map((s) =>
      Object.assign(document.createElement('option'), { value: s.group })));
  };
  try {
    await Promise.all([fill('GROUP_BY_APP', 'apps'), fill('GROUP_BY_MODEL', 'models'),
      fill('GROUP_BY_VARIANT', 'variants')]);
    const rubrics = await api.listRubrics();
    $('rubric-names').replaceChildren(...(rubrics.rubrics || []).map((x) =>
      Object.assign(document.createElement('option'), { value: x.name })));
  } catch {
    // Suggestions only; a failing query shows in the view.
  }
}

function init() {
  $('collector-name').textContent = `llmtapd @ ${location.host}`;
  document.title = `llmtap · ${location.host}`;
  $('filters').addEventListener('submit', (e) => {
    e.preventDefault();
    state.set(formChanges());
  });
  $('filter-range').addEventListener('change', () => {
    const custom = $('filter-range').value === 'custom';
    document.body.classList.toggle('range-custom', custom);
    if (custom && !$('filter-from').value) {
      const r = state.timeRange();
      $('filter-from').value = new Date(r.startMs).toISOString().slice(0, 16);
      $('filter-to').value = new Date(r.endMs).toISOString().slice(0, 16);
    }
  });
  $('clear').addEventListener('click', () => {
    const changes = {};
    for (const k of FORM_KEYS) changes[k] = '';
    state.set(changes);
  });
  $('views').addEventListener('click', (e) => {
    const a = e.target.closest('a[data-view]');
    if (!a || e.ctrlKey || e.metaKey || e.shiftKey || e.button !== 0) return;
    e.preventDefault();
    state.set({ view: a.dataset.view === 'overview' ? '' : a.dataset.view, id: '' });
  });
  $('error-dismiss').addEventListener('click', clearError);
  state.onChange(render);
  render();
  // Suggestions for the filter inputs, once, when the filter bar is first used (not during the
  // first paint).
  $('filters').addEventListener('focusin', fillSuggestions, { once: true });
}

init();

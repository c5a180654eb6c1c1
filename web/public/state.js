// The URL-backed state: which view is open and the filter every view shares. The URL's query
// string is the only copy, so a view can be shared as a link, and back / forward / reload
// restore it. Views read with get() and change it with set(); set() pushes a history entry
// and notifies the listeners (as popstate does for back and forward).
//
// Keys (all optional):
//   view      overview | compare | samples | alerts | rubrics | live   (default overview)
//   range     1h | 24h | 7d | 30d | custom (default 24h); from, to: ISO times for custom;
//             prev24h, prev7d: the 24 h / 7 d before the last 24 h / 7 d (Compare)
//   app, model, variant, pv (prompt version), session, meta ("key=value,key2=value2")
//   rubric, below, above  (rubric with score below / above)
//   group     model | variant | app | pv | meta:<key>   (the overview's group-by)
//   b.<key>, c.<key>  Compare's baseline and candidate populations (range, from, to, app,
//                     model, variant, pv, meta); maxdrop
//   sort      newest | worst   (samples); id: the sample shown in detail
import { msToNanos } from './lib/dom.js';

export const VIEWS = ['overview', 'compare', 'samples', 'alerts', 'rubrics', 'live'];
export const RANGES = { '1h': 3600, '24h': 86400, '7d': 7 * 86400, '30d': 30 * 86400 };
export const FILTER_KEYS = ['app', 'model', 'variant', 'pv', 'session', 'meta', 'rubric',
  'below', 'above'];
export const POPULATION_KEYS = ['range', 'from', 'to', 'app', 'model', 'variant', 'pv', 'meta'];

const listeners = new Set();

export function get(key, fallback = '') {
  return new URLSearchParams(location.search).get(key) ?? fallback;
}

export function view() {
  const v = get('view');
  return VIEWS.includes(v) ? v : 'overview';
}

// Applies `changes` (key -> value; '' or null removes the key) and pushes a history entry,
// or replaces the current one with {replace: true}. Notifies the listeners unless `silent`
// (then the current entry is replaced: for what a view already shows, like the open sample).
export function set(changes, { replace = false, silent = false } = {}) {
  const p = new URLSearchParams(location.search);
  for (const [k, v] of Object.entries(changes)) {
    if (v === '' || v === null || v === undefined) p.delete(k);
    else p.set(k, String(v));
  }
  p.sort();
  const q = p.toString();
  const url = q ? `?${q}` : location.pathname;
  if (url === location.search || (!q && !location.search)) return;
  if (replace || silent) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  if (!silent) notify();
}

export function onChange(fn) {
  listeners.add(fn);
}

function notify() {
  for (const fn of listeners) fn();
}
window.addEventListener('popstate', notify);

// The bucket width (seconds) that fits a span: about 24 to 200 buckets, each a whole number
// of rollup buckets so that the collector reads hourly rollups for anything past a few hours.
export function bucketFor(spanS) {
  if (spanS <= 3 * 3600) return 60;
  if (spanS <= 12 * 3600) return 900;
  if (spanS <= 10 * 86400) return 3600;
  return 6 * 3600;
}

// The time range of the state's filter (or of a population's, with prefix 'b.' / 'c.'):
// { startMs, endMs, bucketS }, aligned to the bucket so that buckets are whole and the
// collector answers from rollups of that width.
export function timeRange(prefix = '', now = Date.now()) {
  const range = get(`${prefix}range`) || (prefix ? get('range', '24h') : '24h');
  let startMs;
  let endMs;
  if (range === 'custom') {
    const from = Date.parse(get(`${prefix}from`) || (prefix ? get('from') : ''));
    const to = Date.parse(get(`${prefix}to`) || (prefix ? get('to') : ''));
    endMs = Number.isFinite(to) ? to : now;
    startMs = Number.isFinite(from) && from < endMs ? from : endMs - 86400e3;
  } else if (range.startsWith('prev') && RANGES[range.slice(4)]) {
    // The period of the same length just before the last one ("last week" against "this week").
    const span = RANGES[range.slice(4)] * 1000;
    const b = bucketFor(span / 1000) * 1000;
    endMs = Math.ceil(now / b) * b - span;
    startMs = endMs - span;
    return { startMs, endMs, bucketS: b / 1000 };
  } else {
    const span = (RANGES[range] || RANGES['24h']) * 1000;
    endMs = now;
    startMs = now - span;
  }
  const bucketS = bucketFor((endMs - startMs) / 1000);
  const b = bucketS * 1000;
  endMs = Math.ceil(endMs / b) * b;
  startMs = Math.floor(startMs / b) * b;
  if (range !== 'custom') startMs = endMs - (RANGES[range] || RANGES['24h']) * 1000;
  return { startMs, endMs, bucketS };
}

// "k=v,k2=v2" -> {k: v, k2: v2}.
export function parseMeta(text) {
  const out = {};
  for (const part of (text || '').split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) out[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  return out;
}

// The API Filter (JSON mapping) of the state, or of a population with prefix 'b.' / 'c.'
// (whose unset keys fall back to the shared filter's). `withTime` false leaves the time out.
export function filter({ prefix = '', withTime = true, range = null } = {}) {
  const pick = (k) => get(`${prefix}${k}`) || (prefix ? get(k) : '');
  const f = {};
  if (withTime) {
    const r = range || timeRange(prefix);
    f.startUnixNano = msToNanos(r.startMs);
    f.endUnixNano = msToNanos(r.endMs);
  }
  for (const [k, field] of [['app', 'app'], ['model', 'model'], ['variant', 'variant'],
    ['pv', 'promptVersion']]) {
    if (pick(k)) f[field] = pick(k);
  }
  if (!prefix) {
    if (get('session')) f.sessionId = get('session');
    if (get('rubric')) f.rubric = get('rubric');
    if (get('rubric') && get('below') !== '') f.scoreBelow = Number(get('below'));
    if (get('rubric') && get('above') !== '') f.scoreAbove = Number(get('above'));
  }
  const meta = parseMeta(pick('meta'));
  if (Object.keys(meta).length) f.metadata = meta;
  return f;
}

// The previous period of the same length as `range`.
export function previous(range) {
  const span = range.endMs - range.startMs;
  return { startMs: range.startMs - span, endMs: range.startMs, bucketS: range.bucketS };
}

// The overview's group-by as Trend request fields, plus the filter key a group's value sets.
export function groupBy() {
  const g = get('group');
  if (g === 'model') return { groupBy: 'GROUP_BY_MODEL', key: 'model' };
  if (g === 'variant') return { groupBy: 'GROUP_BY_VARIANT', key: 'variant' };
  if (g === 'app') return { groupBy: 'GROUP_BY_APP', key: 'app' };
  if (g === 'pv') return { groupBy: 'GROUP_BY_PROMPT_VERSION', key: 'pv' };
  if (g.startsWith('meta:') && g.length > 5) {
    return { groupBy: 'GROUP_BY_METADATA', groupKey: g.slice(5), key: 'meta' };
  }
  return { groupBy: '', key: '' };
}

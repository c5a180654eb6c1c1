// Small DOM and formatting helpers shared by the views. Untrusted text (prompts, responses,
// names) reaches the page only through text nodes: el() never parses HTML.

// Creates an element. `props` are assigned as properties (className, title, ...) except
// `dataset`, `attrs` (set with setAttribute) and `on` (event listeners); children are nodes or
// strings, and strings become text nodes.
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (v === undefined) continue;
    if (k === 'dataset') Object.assign(node.dataset, v);
    else if (k === 'attrs') for (const [a, av] of Object.entries(v)) node.setAttribute(a, av);
    else if (k === 'list') node.setAttribute('list', v);
    else if (k === 'on') for (const [ev, fn] of Object.entries(v)) node.addEventListener(ev, fn);
    else node[k] = v;
  }
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

let uid = 0;
// A unique element id with the given prefix (for label/for and aria-describedby pairs).
export function uniqueId(prefix) {
  return `${prefix}-${++uid}`;
}

// A <label> wrapping its text and control, so every control has an accessible name.
export function labeled(text, control, className = 'field') {
  return el('label', { className }, el('span', { className: 'label-text' }, text), control);
}

// int64 fields arrive as decimal strings; nanoseconds to milliseconds (a Number).
export function nanosToMs(ns) {
  if (!ns) return 0;
  try {
    return Number(BigInt(ns) / 1000000n);
  } catch {
    return 0;
  }
}

export function msToNanos(ms) {
  return `${BigInt(Math.round(ms)) * 1000000n}`;
}

// "2026-12-07 15:04:05" (UTC).
export function formatTime(ns) {
  const ms = nanosToMs(ns);
  return ms ? new Date(ms).toISOString().replace('T', ' ').slice(0, 19) : '';
}

// A bucket label: the time of day for short ranges, the date and hour for longer ones (UTC).
export function formatBucket(ms, bucketS) {
  const iso = new Date(ms).toISOString();
  if (bucketS < 3600) return iso.slice(11, 16);
  if (bucketS < 86400) return `${iso.slice(5, 10)} ${iso.slice(11, 16)}`;
  return iso.slice(0, 10);
}

export function fixed(x, digits = 1) {
  return typeof x === 'number' && Number.isFinite(x) ? x.toFixed(digits) : '–';
}

export function percent(x, digits = 1) {
  return typeof x === 'number' && Number.isFinite(x) ? `${(x * 100).toFixed(digits)}%` : '–';
}

export function count(x) {
  const n = Number(x || 0);
  return n.toLocaleString('en-US');
}

export function usd(x) {
  const n = Number(x || 0);
  return n >= 1 ? `$${n.toFixed(2)}` : `$${n.toFixed(4)}`;
}

export function shorten(s, n) {
  const one = (s || '').replace(/\s+/g, ' ').trim();
  return one.length > n ? `${one.slice(0, n - 1)}…` : one;
}

export function statusName(s) {
  return s === 'CALL_STATUS_ERROR' ? 'error' : 'ok';
}

export function variantName(v) {
  return v || 'production';
}

// The enum value without its prefix, lowercase: ("RUBRIC_KIND_ROUGE_L", "RUBRIC_KIND_") -> "rouge_l".
export function enumName(value, prefix) {
  return String(value || '').replace(prefix, '').toLowerCase();
}

// A panel: a section with a heading, for the views to fill.
export function panel(title, ...children) {
  return el('section', { className: 'panel' }, el('h2', {}, title), ...children);
}

export function message(text, className = 'muted') {
  return el('p', { className }, text);
}

// Compare: two populations (A/B, shadow against production, this week against last) picked
// with the same controls as the filter bar; per rubric both means with their confidence
// intervals, the delta, Welch's p-value, the counts and the verdict against a maximum drop
// (the Compare RPC's own verdict); and paired samples (same pair_id) side by side.
import * as api from '../api.js';
import { count, el, fixed, labeled, message, panel, shorten, variantName } from '../lib/dom.js';
import * as state from '../state.js';

const SIDES = [['b.', 'Baseline'], ['c.', 'Candidate']];
const FIELDS = [['range', 'time range'], ['from', 'from (UTC)'], ['to', 'to (UTC)'],
  ['app', 'app'], ['model', 'model'], ['variant', 'variant'], ['pv', 'prompt version'],
  ['meta', 'metadata key=value']];
// Pairs are looked for among this many of the candidate's newest samples.
const PAIR_WINDOW = 100;

function populationForm(prefix, title) {
  const inputs = {};
  const fields = FIELDS.map(([k, label]) => {
    const id = `${prefix.slice(0, 1)}-${k}`;
    let input;
    if (k === 'range') {
      input = el('select', { id, name: `${prefix}${k}` }, el('option', { value: '' }, 'as the filter'),
        [['1h', 'last 1 h'], ['24h', 'last 24 h'], ['7d', 'last 7 d'], ['30d', 'last 30 d'],
          ['prev24h', 'the 24 h before'], ['prev7d', 'the 7 d before'], ['custom', 'custom']]
          .map(([r, t]) => el('option', { value: r }, t)));
    } else {
      input = el('input', { id, name: `${prefix}${k}`, size: k === 'meta' ? 14 : 10,
        placeholder: k === 'from' || k === 'to' ? 'ISO time, if custom' : 'as the filter',
        list: { app: 'apps', model: 'models', variant: 'variants' }[k] });
    }
    input.value = state.get(`${prefix}${k}`);
    inputs[k] = input;
    return labeled(label, input);
  });
  return { inputs, node: el('fieldset', { className: 'population' }, el('legend', {}, title), fields) };
}

function verdictName(v) {
  return { VERDICT_PASS: 'pass', VERDICT_REGRESSION: 'regression',
    VERDICT_INSUFFICIENT_DATA: 'insufficient data' }[v] || 'unknown';
}

function meanCell(s) {
  if (!s || !Number(s.count || 0)) return el('td', { className: 'num' }, '–');
  return el('td', { className: 'num' }, fixed(s.mean ?? 0, 3),
    el('span', { className: 'muted ci' }, ` [${fixed(s.meanCiLow ?? 0, 3)}, ${fixed(s.meanCiHigh ?? 0, 3)}]`));
}

function pValue(p = 0) {
  return p < 0.001 ? p.toExponential(1) : p.toFixed(3);
}

function scoreLine(scores) {
  return (scores || []).filter((s) => s.state === 'SCORE_STATE_SCORED')
    .map((s) => el('span', { className: `badge ${s.passed ? 'pass' : 'fail'}` },
      `${s.rubric} ${fixed(s.value || 0, 2)}`));
}

export async function render(root, ctx) {
  if (!SIDES.some(([p]) => FIELDS.some(([k]) => state.get(`${p}${k}`)))) {
    state.set({ 'b.variant': 'production', 'c.variant': 'shadow' }, { replace: true });
    return;
  }
  const forms = SIDES.map(([p, t]) => populationForm(p, t));
  const maxDrop = el('input', { id: 'max-drop', name: 'maxdrop', type: 'number', step: '0.01',
    min: '0', max: '1', size: 5, value: state.get('maxdrop', '0.02') });
  const form = el('form', { id: 'compare-form', className: 'compare-form',
    attrs: { 'aria-label': 'Populations' } },
  forms[0].node, forms[1].node,
  el('div', { className: 'buttons' }, labeled('max drop', maxDrop),
    el('button', { type: 'submit', id: 'compare-apply' }, 'Compare'),
    el('button', { type: 'button', id: 'compare-swap' }, 'Swap'),
    el('button', { type: 'button', id: 'compare-weeks' }, 'This week against last'),
    el('button', { type: 'button', id: 'compare-shadow' }, 'Shadow against production')));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const changes = { maxdrop: maxDrop.value === '0.02' ? '' : maxDrop.value };
    SIDES.forEach(([p], i) => {
      for (const [k] of FIELDS) changes[`${p}${k}`] = forms[i].inputs[k].value.trim();
    });
    state.set(changes);
  });
  const preset = (b, c) => {
    const changes = {};
    for (const [k] of FIELDS) {
      changes[`b.${k}`] = b[k] || '';
      changes[`c.${k}`] = c[k] || '';
    }
    state.set(changes);
  };
  form.querySelector('#compare-weeks').addEventListener('click', () =>
    preset({ range: 'prev7d' }, { range: '7d' }));
  form.querySelector('#compare-shadow').addEventListener('click', () =>
    preset({ variant: 'production' }, { variant: 'shadow' }));
  form.querySelector('#compare-swap').addEventListener('click', () => {
    const changes = {};
    for (const [k] of FIELDS) {
      changes[`b.${k}`] = forms[1].inputs[k].value.trim();
      changes[`c.${k}`] = forms[0].inputs[k].value.trim();
    }
    state.set(changes);
  });

  const results = el('div', { id: 'compare-results' });
  const pairs = el('div', { id: 'pairs' });
  root.append(panel('Populations', form), results, pairs);

  const baseline = state.filter({ prefix: 'b.' });
  const candidate = state.filter({ prefix: 'c.' });
  if (state.get('rubric')) {
    baseline.rubric = state.get('rubric');
    candidate.rubric = state.get('rubric');
  }
  const drop = Number(state.get('maxdrop', '0.02'));
  const req = { baseline, candidate, maxDrop: Number.isFinite(drop) ? drop : 0.02 };
  if (state.get('rubric')) req.rubrics = [state.get('rubric')];

  const [cmp, cand] = await Promise.all([
    api.compare(req),
    api.listSamples({ filter: { ...candidate, rubric: undefined }, pageSize: PAIR_WINDOW,
      withScores: true }),
  ]);
  if (!ctx.alive()) return;
  // The baseline's samples over the same moments as the candidate's paired ones (a shadow call
  // starts with its production call).
  const paired = (cand.samples || []).filter((x) => x.sample?.pairId);
  let base = { samples: [] };
  if (paired.length) {
    const starts = paired.map((x) => BigInt(x.sample.startTimeUnixNano || 0));
    const lo = starts.reduce((a, t) => (t < a ? t : a));
    const hi = starts.reduce((a, t) => (t > a ? t : a));
    const apps = new Set(paired.map((x) => x.sample.app));
    const f = { ...baseline, rubric: undefined, startUnixNano: `${lo}`, endUnixNano: `${hi + 1n}` };
    if (apps.size === 1) f.app = [...apps][0];
    base = await api.listSamples({ filter: f, pageSize: 1000, withScores: true });
    if (!ctx.alive()) return;
  }

  const rows = (cmp.rubrics || []).map((r) => {
    const v = verdictName(r.verdict);
    return el('tr', { className: `verdict-${v.replace(' ', '-')}`, dataset: { rubric: r.rubric } },
      el('th', { scope: 'row' }, r.rubric),
      meanCell(r.baseline), el('td', { className: 'num' }, count(r.baseline?.count)),
      meanCell(r.candidate), el('td', { className: 'num' }, count(r.candidate?.count)),
      el('td', { className: 'num delta' }, `${(r.delta || 0) >= 0 ? '+' : ''}${fixed(r.delta || 0, 3)}`,
        el('span', { className: 'muted ci' }, ` [${fixed(r.ciLow ?? 0, 3)}, ${fixed(r.ciHigh ?? 0, 3)}]`)),
      el('td', { className: 'num' }, pValue(r.pValue)),
      el('td', { className: 'verdict' }, v));
  });
  const summary = cmp.rubrics?.length
    ? el('p', { id: 'compare-verdict', className: cmp.passed ? 'verdict-pass' : 'verdict-regression' },
      cmp.passed ? `No rubric dropped by more than ${req.maxDrop} (significant at 0.05).`
        : 'Regression: at least one rubric dropped by more than the maximum, significantly.')
    : message('No rubric has scores in both populations.');
  results.replaceChildren(panel('Per rubric', summary, el('div', { className: 'table-wrap' },
    el('table', { id: 'compare-table', className: 'compare' },
      el('thead', {}, el('tr', {}, ['rubric', 'baseline mean [95% CI]', 'n', 'candidate mean [95% CI]',
        'n', 'delta [95% CI]', 'p-value', 'verdict'].map((h) => el('th', { scope: 'col' }, h)))),
      el('tbody', {}, rows)))));

  // Pairs: the same pair_id in both populations, among the newest samples of each.
  const byPair = new Map();
  for (const x of base.samples || []) if (x.sample?.pairId) byPair.set(x.sample.pairId, x);
  const matched = (cand.samples || []).filter((x) => x.sample?.pairId && byPair.has(x.sample.pairId))
    .slice(0, 10).map((x) => [byPair.get(x.sample.pairId), x]);
  const side = (x, title) => el('div', { className: 'pair-side' },
    el('h4', {}, `${title}: ${x.sample.model || ''} (${variantName(x.sample.variant)})`),
    el('pre', { className: 'text response' }, x.sample.response || ''), el('div', {}, scoreLine(x.scores)));
  pairs.replaceChildren(panel('Paired samples (same pair_id)', matched.length
    ? matched.map(([b, c]) => el('article', { className: 'pair', dataset: { pair: b.sample.pairId } },
      el('p', { className: 'pair-prompt' }, shorten(b.sample.prompt, 300)),
      el('div', { className: 'pair-sides' }, side(b, 'baseline'), side(c, 'candidate'))))
    : message(`No pairs: none of the candidate's newest ${PAIR_WINDOW} samples shares a ` +
      'pair_id with a baseline sample.')));
  ctx.clearError();
}

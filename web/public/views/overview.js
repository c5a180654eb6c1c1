// Overview: tiles from Stats (each with its change against the previous period of the same
// length), one quality chart per rubric from Trend (mean per bucket, its 95% confidence band,
// and the number of scored samples under it), and latency / error rate / cost over time.
// The group-by switch splits every chart into one series per group; clicking a bucket opens
// the samples of that bucket and group.
import * as api from '../api.js';
import * as charts from '../charts.js';
import { count, el, fixed, formatBucket, labeled, message, nanosToMs, panel, percent, usd }
  from '../lib/dom.js';
import * as state from '../state.js';

// One tile: its label, how to read the value from a StatsResponse, how to show it, and
// whether a rise is bad (red) or good (green); null for neutral.
const TILES = [
  ['samples', 'samples', (s) => Number(s.samples || 0), count, null],
  ['error-rate', 'error rate', (s) => s.errorRate || 0, (x) => percent(x, 2), 'bad'],
  ['latency-p50', 'latency p50', (s) => s.latencyMs?.p50 || 0, (x) => `${fixed(x, 0)} ms`, 'bad'],
  ['latency-p95', 'latency p95', (s) => s.latencyMs?.p95 || 0, (x) => `${fixed(x, 0)} ms`, 'bad'],
  ['latency-p99', 'latency p99', (s) => s.latencyMs?.p99 || 0, (x) => `${fixed(x, 0)} ms`, 'bad'],
  ['ttft-p50', 'first token p50', (s) => s.ttftMs?.p50 || 0, (x) => `${fixed(x, 0)} ms`, 'bad'],
  ['tokens', 'tokens (in + out)', (s) => (s.inputTokens?.sum || 0) + (s.outputTokens?.sum || 0),
    (x) => count(Math.round(x)), null],
  ['cost', 'cost', (s) => s.costUsd?.sum || 0, usd, 'bad'],
];

const GROUPS = [['', 'nothing'], ['model', 'model'], ['variant', 'variant'], ['app', 'app'],
  ['pv', 'prompt version'], ['meta', 'metadata key']];

function spanName(ms) {
  const h = ms / 3600e3;
  return h < 48 ? `${Math.round(h)} h` : `${Math.round(h / 24)} d`;
}

function tile(id, label, value, prevValue, show, rising) {
  let change = '';
  let cls = 'flat';
  if (prevValue > 0) {
    const pct = ((value - prevValue) / prevValue) * 100;
    change = `${pct >= 0 ? '+' : ''}${pct.toFixed(1)}%`;
    if (Math.abs(pct) >= 0.05 && rising) cls = (pct > 0) === (rising === 'bad') ? 'worse' : 'better';
  } else {
    change = value > 0 ? 'new' : '–';
  }
  return el('div', { className: 'tile', dataset: { tile: id } },
    el('div', { className: 'tile-label' }, label),
    el('div', { className: 'tile-value' }, show(value)),
    el('div', { className: `tile-change ${cls}`, title: `previous period: ${show(prevValue)}` },
      change, el('span', { className: 'muted' }, ' vs previous')));
}

// Bucket labels and index of each bucket start over the range.
function buckets(range) {
  const step = range.bucketS * 1000;
  const starts = [];
  for (let t = range.startMs; t < range.endMs; t += step) starts.push(t);
  const index = new Map(starts.map((t, i) => [t, i]));
  return { starts, labels: starts.map((t) => formatBucket(t, range.bucketS)), index };
}

// A series' values per bucket (null where the bucket has no data).
function column(series, b, pick) {
  const out = new Array(b.starts.length).fill(null);
  for (const p of series.points || []) {
    const i = b.index.get(nanosToMs(p.startUnixNano));
    if (i !== undefined) out[i] = pick(p.summary || {});
  }
  return out;
}

function groupLabel(g) {
  return g.group === '' ? '(none)' : g.group;
}

export async function render(root, ctx) {
  const range = state.timeRange();
  const prev = state.previous(range);
  const filter = state.filter({ range });
  const prevFilter = state.filter({ range: prev });
  const grouping = state.groupBy();
  const groupReq = grouping.groupBy ? { groupBy: grouping.groupBy, groupKey: grouping.groupKey }
    : {};
  const b = buckets(range);

  // The group-by switch.
  const groupSel = el('select', { id: 'group-by', name: 'group' },
    GROUPS.map(([v, t]) => el('option', { value: v }, t)));
  const g = state.get('group');
  groupSel.value = g.startsWith('meta:') ? 'meta' : g;
  const metaKey = el('input', { id: 'group-key', name: 'group-key', size: 10,
    value: g.startsWith('meta:') ? g.slice(5) : '', placeholder: 'tenant' });
  const metaLabel = labeled('metadata key', metaKey);
  metaLabel.hidden = groupSel.value !== 'meta';
  const applyGroup = () => {
    const v = groupSel.value;
    if (v === 'meta' && !metaKey.value.trim()) {
      metaLabel.hidden = false;
      metaKey.focus();
      return;
    }
    state.set({ group: v === 'meta' ? `meta:${metaKey.value.trim()}` : v });
  };
  groupSel.addEventListener('change', applyGroup);
  metaKey.addEventListener('change', applyGroup);
  const tiles = el('div', { className: 'tiles', id: 'tiles', attrs: { 'aria-busy': 'true' } });
  const quality = el('div', { className: 'grid', id: 'quality' });
  const ops = el('div', { className: 'grid', id: 'operations' });
  root.append(
    el('div', { className: 'toolbar' }, labeled('group by', groupSel), metaLabel,
      el('span', { className: 'muted' }, `${spanName(range.endMs - range.startMs)} in ` +
        `${b.starts.length} buckets of ${range.bucketS >= 3600 ? `${range.bucketS / 3600} h` :
          `${range.bucketS / 60} min`}; tiles compare with the ` +
        `${spanName(range.endMs - range.startMs)} before. Click a point to see its samples.`)),
    tiles,
    el('h2', { className: 'section-title' }, 'Quality per rubric'), quality,
    el('h2', { className: 'section-title' }, 'Latency, errors and cost'), ops);

  // Opens the samples behind bucket i of a series (its group and, for a rubric, the rubric).
  const openBucket = (i, group, rubric) => {
    const from = new Date(b.starts[i]).toISOString();
    const to = new Date(b.starts[i] + range.bucketS * 1000).toISOString();
    const changes = { view: 'samples', range: 'custom', from, to };
    if (grouping.key === 'meta') changes.meta = `${grouping.groupKey}=${group}`;
    else if (grouping.key) changes[grouping.key] = group;
    if (rubric) {
      changes.rubric = rubric;
      changes.sort = 'worst';
    }
    state.set(changes);
  };

  const errors = [];
  const guard = (p) => p.catch((e) => {
    errors.push(e);
    ctx.error(e);
    return null;
  });

  // Tiles.
  const tilesDone = guard(Promise.all([api.stats(filter), api.stats(prevFilter)])).then((r) => {
    if (!r || !ctx.alive()) return;
    const [cur, before] = r;
    tiles.replaceChildren(...TILES.map(([id, label, pick, show, rising]) =>
      tile(id, label, pick(cur), pick(before), show, rising)));
    tiles.removeAttribute('aria-busy');
  });

  // One quality panel per rubric: mean with its band, and the scored count under it.
  const qualityPanel = (rubric, series) => {
    const id = rubric.replace(/[^a-z0-9_.-]/gi, '_');
    const top = charts.canvasBox(`Mean ${rubric} score per bucket with 95% confidence band`);
    const bottom = charts.canvasBox(`Scored samples of ${rubric} per bucket`, 'chart-box small');
    top.canvas.id = `chart-quality-${id}`;
    bottom.canvas.id = `chart-count-${id}`;
    const total = series.reduce((a, s) => a + Number(s.total?.count || 0), 0);
    const mean = series.length === 1 ? series[0].total?.mean ?? 0 : null;
    const p = panel(rubric, el('p', { className: 'muted' }, mean !== null && mean !== undefined
      ? `mean ${fixed(mean, 3)} over ${count(total)} scored samples`
      : `${count(total)} scored samples in ${series.length} groups`), top.box, bottom.box);
    p.dataset.rubric = rubric;
    quality.append(p);
    const groups = series.map((s) => ({
      label: grouping.groupBy ? groupLabel(s) : rubric,
      mean: column(s, b, (x) => x.mean ?? 0),
      low: column(s, b, (x) => x.meanCiLow ?? 0),
      high: column(s, b, (x) => x.meanCiHigh ?? 0),
      n: column(s, b, (x) => Number(x.count || 0)),
    }));
    charts.bandChart(top.canvas, { labels: b.labels, series: groups,
      onClick: (i, si) => openBucket(i, series[si].group, rubric) });
    charts.barChart(bottom.canvas, { labels: b.labels, yTitle: 'scored',
      series: groups.map((x) => ({ label: x.label, data: x.n })),
      onClick: (i, si) => openBucket(i, series[si].group, rubric) });
  };

  const qualityDone = (async () => {
    if (!grouping.groupBy) {
      const res = await guard(api.trend({ filter, bucketS: range.bucketS,
        groupBy: 'GROUP_BY_RUBRIC' }));
      if (!res || !ctx.alive()) return;
      for (const s of res.series || []) qualityPanel(s.group, [s]);
    } else {
      // The rubrics with scores in the range (one rollup read), then one grouped trend each.
      const byRubric = await guard(api.trend({ filter, bucketS: range.endMs / 1000 -
        range.startMs / 1000, groupBy: 'GROUP_BY_RUBRIC' }));
      if (!byRubric || !ctx.alive()) return;
      const rubrics = (byRubric.series || []).map((s) => s.group);
      const answers = await Promise.all(rubrics.map((r) => guard(api.trend({
        filter: { ...filter, rubric: r }, bucketS: range.bucketS, ...groupReq }))));
      if (!ctx.alive()) return;
      rubrics.forEach((r, i) => {
        if (answers[i] && (answers[i].series || []).length) qualityPanel(r, answers[i].series);
      });
    }
    if (!quality.children.length) {
      quality.append(message('No scores in this range. Scores appear once rubrics have run ' +
        'on samples (see Rubrics).'));
    }
  })();

  // Latency, error rate, cost.
  const metricPanel = async (metric, title, id, pickers, yTitle) => {
    const box = charts.canvasBox(title);
    box.canvas.id = id;
    ops.append(panel(title, box.box));
    const res = await guard(api.trend({ filter, metric, bucketS: range.bucketS, ...groupReq }));
    if (!res || !ctx.alive()) return;
    const series = [];
    const owners = [];
    for (const s of res.series || []) {
      for (const [suffix, pick] of pickers) {
        series.push({ label: grouping.groupBy ? `${groupLabel(s)}${suffix ? ` ${suffix}` : ''}`
          : suffix || title, data: column(s, b, pick) });
        owners.push(s.group);
      }
    }
    charts.lineChart(box.canvas, { labels: b.labels, series, yTitle,
      onClick: (i, si) => openBucket(i, owners[si], '') });
  };
  const latencyPickers = grouping.groupBy ? [['p95', (x) => x.p95 ?? 0]]
    : [['p50', (x) => x.p50 ?? 0], ['p95', (x) => x.p95 ?? 0], ['p99', (x) => x.p99 ?? 0]];
  const opsDone = Promise.all([
    metricPanel('METRIC_LATENCY_MS', grouping.groupBy ? 'Latency p95' : 'Latency p50 / p95 / p99',
      'chart-latency', latencyPickers, 'ms'),
    metricPanel('METRIC_ERROR', 'Error rate', 'chart-errors', [['', (x) => x.mean ?? 0]], 'share'),
    metricPanel('METRIC_COST_USD', 'Cost', 'chart-cost', [['', (x) => x.sum ?? 0]], 'USD'),
  ]);

  await Promise.all([tilesDone, qualityDone, opsDone]);
  if (!errors.length) ctx.clearError();
}

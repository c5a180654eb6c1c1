// Samples: the samples matching the filter, newest first with paging; or worst first by a
// rubric; or, with a session in the filter, that session's samples in order. A row opens the
// sample's detail (prompt, response, contexts, metadata, every score). Downloads the samples
// of the current filter as JSONL or CSV.
import * as api from '../api.js';
import { count, el, fixed, formatTime, labeled, message, panel, shorten, statusName,
  variantName } from '../lib/dom.js';
import * as state from '../state.js';

const PAGE = 50;
// Worst first looks at this many of the newest matching samples (one ListSamples page).
const WORST_WINDOW = 300;
// A download stops after this many samples.
const DOWNLOAD_MAX = 100000;

function scoreOf(scores, rubric) {
  const s = (scores || []).find((x) => x.rubric === rubric && x.state === 'SCORE_STATE_SCORED');
  return s ? s.value || 0 : null;
}

function badges(scores) {
  return (scores || []).map((sc) => {
    if (sc.state !== 'SCORE_STATE_SCORED') {
      const what = sc.state === 'SCORE_STATE_SKIPPED' ? 'skipped' : 'error';
      return el('span', { className: `badge ${what}`, title: sc.error || what }, `${sc.rubric} ${what}`);
    }
    return el('span', { className: `badge ${sc.passed ? 'pass' : 'fail'}`, title: sc.reasoning || '' },
      `${sc.rubric} ${fixed(sc.value || 0, 2)}`);
  });
}

function section(title, ...content) {
  return el('section', { className: 'detail-section' }, el('h3', {}, title), ...content);
}

const textBlock = (text, className = '') => el('pre', { className: `text ${className}`.trim() },
  text || '');

function keyValues(pairs) {
  return el('dl', { className: 'kv' }, pairs
    .filter(([, v]) => v !== '' && v !== null && v !== undefined)
    .map(([k, v]) => [el('dt', {}, k), el('dd', {}, v instanceof Node ? v : String(v))]));
}

function scoresTable(scores) {
  if (!scores.length) return message('Not scored.');
  const head = el('tr', {}, ['rubric', 'state', 'value', 'passed', 'reasoning'].map((h) =>
    el('th', { scope: 'col' }, h)));
  const rows = scores.map((sc) => {
    const st = (sc.state || 'SCORE_STATE_UNSPECIFIED').replace('SCORE_STATE_', '').toLowerCase();
    const scored = st === 'scored';
    const why = [el('div', { className: 'reasoning' }, sc.reasoning || '')];
    if (sc.error) why.push(el('div', { className: 'score-error' }, sc.error));
    if (sc.rawOutput) {
      why.push(el('details', {}, el('summary', {}, 'raw judge output'), textBlock(sc.rawOutput)));
    }
    return el('tr', { className: scored ? (sc.passed ? 'pass' : 'fail') : st },
      el('td', {}, `${sc.rubric} v${sc.rubricVersion || 0}`), el('td', {}, st),
      el('td', { className: 'num' }, scored ? fixed(sc.value || 0, 3) : ''),
      el('td', {}, scored ? (sc.passed ? 'yes' : 'no') : ''), el('td', {}, why));
  });
  return el('table', { className: 'scores-table' }, el('thead', {}, head), el('tbody', {}, rows));
}

// The detail of one sample (GetSampleResponse), with a link to its session.
export function detail({ sample: s, scores }) {
  const session = s.sessionId ? el('button', { type: 'button', className: 'link',
    on: { click: () => state.set({ view: 'samples', session: s.sessionId, id: '', sort: '' }) } },
  `${s.sessionId} (show in order)`) : '';
  const meta = Object.entries(s.metadata || {}).sort(([a], [b]) => a.localeCompare(b));
  const body = [keyValues([
    ['app', s.app], ['model', s.model], ['variant', variantName(s.variant)],
    ['session', session], ['prompt version', s.promptVersion], ['pair id', s.pairId],
    ['status', statusName(s.status)], ['started (UTC)', formatTime(s.startTimeUnixNano)],
    ['latency ms', fixed(s.latencyMs || 0)],
    ['first token ms', s.timeToFirstTokenMs ? fixed(s.timeToFirstTokenMs) : ''],
    ['tokens in / out', `${s.inputTokens || 0} / ${s.outputTokens || 0}`],
    ['cost USD', s.costUsd ? s.costUsd.toFixed(6) : ''],
  ])];
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
  return body;
}

// CSV of samples: one row per sample, one column per rubric seen.
function toCsv(items) {
  const rubrics = [...new Set(items.flatMap((x) => (x.scores || []).map((s) => s.rubric)))].sort();
  const cols = ['id', 'start_time', 'app', 'model', 'variant', 'prompt_version', 'session_id',
    'pair_id', 'status', 'latency_ms', 'ttft_ms', 'input_tokens', 'output_tokens', 'cost_usd',
    'prompt', 'response', 'error', ...rubrics.map((r) => `score.${r}`)];
  const q = (v) => {
    const t = v === null || v === undefined ? '' : String(v);
    return /[",\n\r]/.test(t) ? `"${t.replace(/"/g, '""')}"` : t;
  };
  const lines = [cols.join(',')];
  for (const { sample: s, scores } of items) {
    lines.push([s.id, formatTime(s.startTimeUnixNano), s.app, s.model, variantName(s.variant),
      s.promptVersion, s.sessionId, s.pairId, statusName(s.status), s.latencyMs || 0,
      s.timeToFirstTokenMs || 0, s.inputTokens || 0, s.outputTokens || 0, s.costUsd || 0,
      s.prompt, s.response, s.error, ...rubrics.map((r) => scoreOf(scores, r))].map(q).join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}

function save(name, type, text) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = el('a', { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

export async function render(root, ctx) {
  const filter = state.filter();
  const session = state.get('session');
  const rubric = state.get('rubric');
  const sort = session ? 'session' : (state.get('sort') === 'worst' && rubric ? 'worst' : 'newest');
  let tokens = [''];
  let pageNo = 0;
  let nextToken = '';

  const sortSel = el('select', { id: 'samples-sort', name: 'sort' },
    el('option', { value: 'newest' }, 'newest first'),
    el('option', { value: 'worst' }, 'worst first by rubric'));
  sortSel.value = sort === 'worst' ? 'worst' : 'newest';
  sortSel.disabled = !!session;
  const rubricSel = el('input', { id: 'samples-rubric', name: 'sort-rubric', list: 'rubric-names',
    value: rubric, size: 12, placeholder: 'rubric' });
  const rubricLabel = labeled('by rubric', rubricSel);
  rubricLabel.hidden = sortSel.value !== 'worst';
  sortSel.addEventListener('change', () => {
    rubricLabel.hidden = sortSel.value !== 'worst';
    if (sortSel.value === 'worst' && !rubricSel.value.trim()) {
      rubricSel.focus();
      return;
    }
    state.set({ sort: sortSel.value === 'worst' ? 'worst' : '', rubric: rubricSel.value.trim() });
  });
  rubricSel.addEventListener('change', () => {
    if (rubricSel.value.trim()) state.set({ sort: 'worst', rubric: rubricSel.value.trim() });
  });
  const progress = el('span', { id: 'download-progress', className: 'muted',
    attrs: { 'aria-live': 'polite' } });
  const dlJsonl = el('button', { type: 'button', id: 'download-jsonl' }, 'Download JSONL');
  const dlCsv = el('button', { type: 'button', id: 'download-csv' }, 'Download CSV');

  const caption = el('p', { id: 'samples-caption', className: 'muted' });
  const tbody = el('tbody');
  const table = el('table', { id: 'samples', className: 'samples' },
    el('thead', {}, el('tr', {}, ['time (UTC)', 'app', 'model', 'variant', 'status',
      'latency ms', 'prompt', 'scores'].map((h) => el('th', { scope: 'col',
      className: h === 'latency ms' ? 'num' : '' }, h)))), tbody);
  const empty = message('No samples match.');
  empty.id = 'empty';
  empty.hidden = true;
  const newest = el('button', { type: 'button', id: 'newest' }, '« Newest');
  const newer = el('button', { type: 'button', id: 'newer' }, '‹ Newer');
  const older = el('button', { type: 'button', id: 'older' }, 'Older ›');
  const pageLabel = el('span', { id: 'page-label', className: 'muted' });
  const pager = el('nav', { className: 'pager', attrs: { 'aria-label': 'Pages' } },
    newest, newer, pageLabel, older);
  pager.hidden = sort !== 'newest';

  const detailBody = el('div', { id: 'detail-body' });
  const detailId = el('code', { id: 'detail-id' });
  const closeBtn = el('button', { type: 'button', id: 'detail-close',
    attrs: { 'aria-label': 'Close sample' } }, '×');
  const detailPane = el('aside', { id: 'detail', className: 'panel detail', hidden: true,
    attrs: { 'aria-label': 'Sample detail' } },
  el('div', { className: 'detail-head' }, el('h2', {}, 'Sample ', detailId), closeBtn), detailBody);

  root.append(el('div', { className: 'toolbar' }, labeled('order', sortSel), rubricLabel,
    el('span', { className: 'spacer' }), dlJsonl, dlCsv, progress),
  el('div', { className: 'layout' },
    el('div', { className: 'main-column' }, panel('Samples', caption,
      el('div', { className: 'table-wrap' }, table), empty, pager)),
    detailPane));

  let rows = [];
  const selectRow = (id) => {
    for (const tr of tbody.rows) tr.classList.toggle('selected', tr.dataset.id === id);
  };
  let detailSeq = 0;
  const openDetail = async (id) => {
    selectRow(id);
    state.set({ id }, { silent: true });
    const seq = ++detailSeq;
    try {
      const res = await api.getSample(id);
      if (seq !== detailSeq || !ctx.alive()) return;
      detailId.textContent = id;
      detailBody.replaceChildren(...detail(res));
      detailPane.hidden = false;
    } catch (e) {
      if (seq === detailSeq) ctx.error(e);
    }
  };
  const closeDetail = () => {
    detailSeq++;
    detailPane.hidden = true;
    selectRow('');
    state.set({ id: '' }, { silent: true });
  };
  closeBtn.addEventListener('click', closeDetail);
  detailPane.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') closeDetail();
  });

  const show = (items) => {
    rows = items;
    tbody.replaceChildren(...items.map(({ sample: s, scores }) => el('tr', {
      tabIndex: 0, dataset: { id: s.id } },
    el('td', { className: 'time' }, formatTime(s.startTimeUnixNano)),
    el('td', {}, s.app || ''), el('td', {}, s.model || ''), el('td', {}, variantName(s.variant)),
    el('td', { className: `status ${statusName(s.status)}` }, statusName(s.status)),
    el('td', { className: 'num' }, fixed(s.latencyMs || 0)),
    el('td', { className: 'prompt', title: shorten(s.prompt, 500) }, shorten(s.prompt, 80)),
    el('td', { className: 'scores' }, badges(scores)))));
    empty.hidden = items.length > 0;
    selectRow(state.get('id'));
  };
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

  const loadPage = async () => {
    const req = { filter, pageSize: PAGE, withScores: true };
    if (tokens[pageNo]) req.pageToken = tokens[pageNo];
    const res = await api.listSamples(req);
    if (!ctx.alive()) return;
    nextToken = res.nextPageToken || '';
    show((res.samples || []).filter((x) => x && x.sample));
    pageLabel.textContent = `page ${pageNo + 1}`;
    older.disabled = !nextToken;
    newer.disabled = pageNo === 0;
    newest.disabled = pageNo === 0;
    caption.textContent = 'Newest first.';
  };
  const goTo = (n) => {
    pageNo = n;
    tokens.length = n + 1;
    loadPage().catch(ctx.error);
  };
  older.addEventListener('click', () => {
    if (!nextToken) return;
    tokens[pageNo + 1] = nextToken;
    goTo(pageNo + 1);
  });
  newer.addEventListener('click', () => pageNo > 0 && goTo(pageNo - 1));
  newest.addEventListener('click', () => goTo(0));

  // Every sample of the filter, page by page (for a session, a worst-first window and the
  // downloads), stopping at `max`.
  const fetchAll = async (max, onPage = () => {}) => {
    const all = [];
    let token = '';
    do {
      const req = { filter, pageSize: Math.min(1000, max - all.length), withScores: true };
      if (token) req.pageToken = token;
      const res = await api.listSamples(req);
      all.push(...(res.samples || []).filter((x) => x && x.sample));
      token = res.nextPageToken || '';
      onPage(all.length);
    } while (token && all.length < max);
    return { all, more: !!token };
  };

  const download = async (kind) => {
    dlJsonl.disabled = true;
    dlCsv.disabled = true;
    try {
      const { all, more } = await fetchAll(DOWNLOAD_MAX, (n) => {
        progress.textContent = `fetched ${count(n)} samples…`;
      });
      const stamp = new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-');
      if (kind === 'jsonl') {
        save(`llmtap-samples-${stamp}.jsonl`, 'application/x-ndjson',
          all.map((x) => JSON.stringify(x)).join('\n') + (all.length ? '\n' : ''));
      } else {
        save(`llmtap-samples-${stamp}.csv`, 'text/csv', toCsv(all));
      }
      progress.textContent = `saved ${count(all.length)} samples` +
        (more ? ` (stopped at ${count(DOWNLOAD_MAX)}; narrow the filter for the rest)` : '');
    } catch (e) {
      progress.textContent = '';
      ctx.error(e);
    } finally {
      dlJsonl.disabled = false;
      dlCsv.disabled = false;
    }
  };
  dlJsonl.addEventListener('click', () => download('jsonl'));
  dlCsv.addEventListener('click', () => download('csv'));

  if (sort === 'newest') {
    await loadPage();
  } else if (sort === 'worst') {
    const res = await api.listSamples({ filter, pageSize: WORST_WINDOW, withScores: true });
    if (!ctx.alive()) return;
    const items = (res.samples || []).filter((x) => x && x.sample && scoreOf(x.scores, rubric) !== null);
    items.sort((a, b) => scoreOf(a.scores, rubric) - scoreOf(b.scores, rubric));
    show(items.slice(0, 100));
    caption.textContent = `Worst first by ${rubric}: the ${Math.min(100, items.length)} lowest ` +
      `of the newest ${count(items.length)} scored samples matching the filter` +
      (res.nextPageToken ? ` (older ones: narrow the time range or add score below).` : '.');
  } else {
    const { all, more } = await fetchAll(1000);
    if (!ctx.alive()) return;
    all.reverse();
    show(all);
    caption.textContent = `Session ${session}: ${count(all.length)} samples, oldest first` +
      (more ? ' (the newest 1,000)' : '') + '.';
  }
  if (state.get('id')) openDetail(state.get('id'));
  ctx.clearError();
}

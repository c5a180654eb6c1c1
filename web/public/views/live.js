// Live: new scores as the collector stores them, over server-sent events (GET /api/v1/tail),
// filtered like every view (app, model, variant, session, prompt version, rubric and score
// range; the time range does not apply). The newest are on top; at most 200 are kept.
import * as api from '../api.js';
import { el, fixed, formatTime, message, panel, shorten } from '../lib/dom.js';
import * as state from '../state.js';

const KEEP = 200;

export async function render(root, ctx) {
  const f = state.filter({ withTime: false });
  const tbody = el('tbody');
  const status = el('p', { id: 'live-status', className: 'muted', attrs: { 'aria-live': 'polite' } },
    'Connecting…');
  const pause = el('button', { type: 'button', id: 'live-pause', attrs: { 'aria-pressed': 'false' } },
    'Pause');
  let paused = false;
  let received = 0;
  pause.addEventListener('click', () => {
    paused = !paused;
    pause.textContent = paused ? 'Resume' : 'Pause';
    pause.setAttribute('aria-pressed', String(paused));
  });
  root.append(panel('Live scores', el('div', { className: 'toolbar' }, pause, status),
    el('div', { className: 'table-wrap' }, el('table', { id: 'live', className: 'samples' },
      el('thead', {}, el('tr', {}, ['scored (UTC)', 'app', 'model', 'variant', 'rubric', 'score',
        'prompt'].map((h) => el('th', { scope: 'col' }, h)))), tbody)),
    message('Scores arrive as they are stored; the filter\'s time range does not apply here.')));
  const stop = api.tail(f, (ev) => {
    received++;
    status.textContent = `${received} scores received${paused ? ' (paused)' : ''}`;
    if (paused) return;
    const s = ev.sample || {};
    const sc = ev.score || {};
    const scored = sc.state === 'SCORE_STATE_SCORED';
    const cls = scored ? (sc.passed ? 'pass' : 'fail') : 'skipped';
    tbody.prepend(el('tr', { dataset: { id: s.id || '' }, className: cls },
      el('td', { className: 'time' }, formatTime(sc.scoredUnixNano)), el('td', {}, s.app || ''),
      el('td', {}, s.model || ''), el('td', {}, s.variant || 'production'),
      el('td', {}, sc.rubric || ''),
      el('td', { className: 'num' }, scored ? fixed(sc.value || 0, 3) : (sc.error || 'not scored')),
      el('td', { className: 'prompt' }, shorten(s.prompt, 80))));
    while (tbody.rows.length > KEEP) tbody.deleteRow(-1);
  }, (e) => {
    status.textContent = 'Disconnected.';
    ctx.error(e);
  }, () => {
    if (!received) status.textContent = 'Connected; waiting for new scores…';
  });
  ctx.clearError();
  return stop;
}

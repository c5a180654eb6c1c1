// Alerts: each rule with its state per group (from its latest event per group), the event
// history, and a form to create, edit and delete rules (UpsertAlertRule / DeleteAlertRule).
// The collector's validation errors show at the field they name.
import * as api from '../api.js';
import { count, el, enumName, fixed, formatTime, labeled, message, panel } from '../lib/dom.js';
import * as formErrors from '../lib/form_errors.js';

const KINDS = ['ALERT_KIND_SCORE_BELOW', 'ALERT_KIND_LATENCY_P95_ABOVE',
  'ALERT_KIND_ERROR_RATE_ABOVE', 'ALERT_KIND_DRIFT'];
const NO_DATA = ['NO_DATA_KEEP', 'NO_DATA_OK', 'NO_DATA_ALERT'];
const NUMBERS = ['warn_below', 'alert_below', 'warn_above', 'alert_above', 'min_count',
  'window_s', 'baseline_window_s', 'cooldown_s'];
const TEXTS = ['name', 'app', 'model', 'variant', 'rubric'];
const camel = (s) => s.replace(/_([a-z])/g, (_, c) => c.toUpperCase());

function levelName(l) {
  return { ALERT_LEVEL_OK: 'ok', ALERT_LEVEL_WARN: 'warn', ALERT_LEVEL_ALERT: 'firing',
    ALERT_LEVEL_NO_DATA: 'no data' }[l] || 'ok';
}

function thresholds(r) {
  const parts = [];
  for (const k of ['warnBelow', 'alertBelow', 'warnAbove', 'alertAbove']) {
    if (r[k] !== undefined) parts.push(`${k.replace(/([A-Z])/g, ' $1').toLowerCase()} ${r[k]}`);
  }
  return parts.join(', ');
}

function ruleForm(onSaved) {
  const c = {};
  const input = (name, props = {}) => {
    c[name] = el('input', { id: `rule-${name}`, name, ...props });
    return labeled(name.replace(/_/g, ' '), c[name]);
  };
  c.kind = el('select', { id: 'rule-kind', name: 'kind' },
    el('option', { value: '' }, '(choose)'),
    KINDS.map((k) => el('option', { value: k }, enumName(k, 'ALERT_KIND_'))));
  c.no_data = el('select', { id: 'rule-no_data', name: 'no_data' },
    NO_DATA.map((k) => el('option', { value: k }, enumName(k, 'NO_DATA_'))));
  c.group_by = el('input', { id: 'rule-group_by', name: 'group_by', placeholder: 'app',
    size: 14 });
  c.enabled = el('input', { id: 'rule-enabled', name: 'enabled', type: 'checkbox', checked: true });
  const general = el('p', { className: 'form-error', role: 'alert', hidden: true });
  const title = el('h3', { id: 'rule-form-title' }, 'New rule');
  const form = el('form', { id: 'rule-form', className: 'editor', noValidate: true,
    attrs: { 'aria-labelledby': 'rule-form-title' } },
  title, general,
  el('div', { className: 'form-grid' },
    input('name', { size: 20, placeholder: 'quality_low' }), labeled('kind', c.kind),
    input('app', { list: 'apps' }), input('model', { list: 'models' }),
    input('variant', { list: 'variants' }), input('rubric', { list: 'rubric-names' }),
    ...['warn_below', 'alert_below', 'warn_above', 'alert_above'].map((n) =>
      input(n, { type: 'number', step: 'any' })),
    input('min_count', { type: 'number', min: 0 }), input('window_s', { type: 'number', min: 0 }),
    input('baseline_window_s', { type: 'number', min: 0 }),
    input('cooldown_s', { type: 'number', min: 0 }),
    labeled('no data', c.no_data), labeled('group by (app, model, variant)', c.group_by),
    labeled('enabled', c.enabled, 'field check')),
  el('div', { className: 'buttons' },
    el('button', { type: 'submit', id: 'rule-save' }, 'Save rule'),
    el('button', { type: 'reset', id: 'rule-new' }, 'New rule')));

  const fill = (r = {}) => {
    formErrors.clear(form);
    title.textContent = r.name ? `Edit rule ${r.name}` : 'New rule';
    for (const n of TEXTS) c[n].value = r[camel(n)] || '';
    for (const n of NUMBERS) c[n].value = r[camel(n)] ?? '';
    c.kind.value = r.kind || '';
    c.no_data.value = r.noData && r.noData !== 'NO_DATA_UNSPECIFIED' ? r.noData : 'NO_DATA_KEEP';
    c.group_by.value = (r.groupBy || []).join(',');
    c.enabled.checked = r.enabled !== false;
  };
  form.addEventListener('reset', (e) => {
    e.preventDefault();
    fill();
    c.name.focus();
  });
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const rule = {};
    for (const n of TEXTS) if (c[n].value.trim()) rule[camel(n)] = c[n].value.trim();
    for (const n of NUMBERS) if (c[n].value !== '') rule[camel(n)] = Number(c[n].value);
    if (c.kind.value) rule.kind = c.kind.value;
    rule.noData = c.no_data.value;
    const groups = c.group_by.value.split(',').map((x) => x.trim()).filter(Boolean);
    if (groups.length) rule.groupBy = groups;
    rule.enabled = c.enabled.checked;
    try {
      const saved = await api.upsertAlertRule(rule);
      formErrors.clear(form);
      onSaved(saved);
    } catch (err) {
      formErrors.show(form, err, (f) => c[f] || null);
    }
  });
  return { form, fill };
}

export async function render(root, ctx) {
  const rulesBox = el('div', { id: 'alert-rules' });
  const historyBox = el('div', { id: 'alert-history' });
  const editor = ruleForm(() => ctx.rerender());
  root.append(el('div', { className: 'layout' },
    el('div', { className: 'main-column' }, rulesBox, historyBox),
    el('aside', { className: 'panel side' }, editor.form)));

  const [rules, events] = await Promise.all([api.listAlertRules(), api.listAlerts({ limit: 500 })]);
  if (!ctx.alive()) return;
  // Latest level per rule and group: events come newest first.
  const latest = new Map();
  for (const ev of events.events || []) {
    const key = `${ev.rule}\u0000${ev.group || ''}`;
    if (!latest.has(key)) latest.set(key, ev);
  }
  const groupsOf = (name) => [...latest.values()].filter((ev) => ev.rule === name);

  const rows = (rules.rules || []).map((r) => {
    const groups = groupsOf(r.name);
    const firing = groups.some((g) => levelName(g.level) !== 'ok');
    const del = el('button', { type: 'button', className: 'danger',
      attrs: { 'aria-label': `Delete rule ${r.name}` } }, 'Delete');
    del.addEventListener('click', async () => {
      if (del.dataset.confirm !== 'yes') {
        del.dataset.confirm = 'yes';
        del.textContent = 'Confirm delete';
        return;
      }
      try {
        await api.deleteAlertRule(r.name);
        ctx.rerender();
      } catch (e) {
        ctx.error(e);
      }
    });
    const edit = el('button', { type: 'button', attrs: { 'aria-label': `Edit rule ${r.name}` },
      on: { click: () => {
        editor.fill(r);
        editor.form.querySelector('#rule-name').focus();
      } } }, 'Edit');
    return el('tr', { dataset: { rule: r.name }, className: firing ? 'firing' : '' },
      el('th', { scope: 'row' }, r.name),
      el('td', {}, enumName(r.kind, 'ALERT_KIND_')),
      el('td', {}, [r.app, r.model, r.variant, r.rubric].filter(Boolean).join(' · ') || 'all'),
      el('td', {}, thresholds(r)),
      el('td', { className: 'num' }, `${r.windowS || 300} s`),
      el('td', {}, r.enabled === false ? 'disabled' : 'enabled'),
      el('td', { className: 'groups' }, groups.length ? groups.map((g) => el('span', {
        className: `state ${levelName(g.level).replace(' ', '-')}`,
        title: `${g.message || ''} (since ${formatTime(g.timeUnixNano)})` },
      `${g.group || 'all'}: ${levelName(g.level)}`)) : el('span', { className: 'state ok' }, 'ok')),
      el('td', { className: 'buttons' }, edit, del));
  });
  rulesBox.replaceChildren(panel('Rules', rows.length
    ? el('div', { className: 'table-wrap' }, el('table', { id: 'rules-table' },
      el('thead', {}, el('tr', {}, ['rule', 'kind', 'scope', 'thresholds', 'window', 'enabled',
        'state per group', ''].map((h) => el('th', { scope: 'col' }, h)))),
      el('tbody', {}, rows)))
    : message('No alert rules yet. Create one with the form.')));

  const evRows = (events.events || []).map((ev) => el('tr', {
    className: `level-${levelName(ev.level).replace(' ', '-')}` },
  el('td', { className: 'time' }, formatTime(ev.timeUnixNano)), el('td', {}, ev.rule),
  el('td', {}, ev.group || ''),
  el('td', {}, `${levelName(ev.previousLevel)} → ${levelName(ev.level)}`),
  el('td', { className: 'num' }, fixed(ev.value || 0, 3)), el('td', { className: 'num' }, count(ev.count)),
  el('td', {}, ev.message || '')));
  historyBox.replaceChildren(panel('History', evRows.length
    ? el('div', { className: 'table-wrap' }, el('table', { id: 'alert-events' },
      el('thead', {}, el('tr', {}, ['time (UTC)', 'rule', 'group', 'change', 'value', 'n',
        'message'].map((h) => el('th', { scope: 'col' }, h)))),
      el('tbody', {}, evRows)))
    : message('No alert has fired yet.')));
  ctx.clearError();
}

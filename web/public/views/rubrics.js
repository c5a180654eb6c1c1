// Rubrics: each rubric's kind, version, sample rate, threshold and state, with a toggle
// (SetRubricEnabled) and an editor (UpsertRubric) that shows the collector's validation errors
// at their field; and per rubric how many samples were scored, sampled out and skipped in the
// filter's range (Completeness).
import * as api from '../api.js';
import { count, el, enumName, labeled, message, panel } from '../lib/dom.js';
import * as formErrors from '../lib/form_errors.js';
import * as state from '../state.js';

const KINDS = ['ROUGE_L', 'BLEU', 'TOKEN_F1', 'EXACT_MATCH', 'GROUNDEDNESS', 'ANSWER_RELEVANCE',
  'REGEX', 'JSON', 'LENGTH', 'REFUSAL', 'PII_LEAK', 'TOXICITY', 'LATENCY', 'TOKENS', 'COST',
  'COMPOSITE', 'LLM_JUDGE'].map((k) => `RUBRIC_KIND_${k}`);
const PARAMS = ['text', 'regex', 'json', 'length', 'terms', 'bound', 'composite', 'judge'];

function rubricForm(onSaved) {
  const c = {};
  const input = (name, label, props = {}) => {
    c[name] = el('input', { id: `rubric-${name}`, name, ...props });
    return labeled(label, c[name], props.type === 'checkbox' ? 'field check' : 'field');
  };
  c.kind = el('select', { id: 'rubric-kind', name: 'kind' }, el('option', { value: '' }, '(choose)'),
    KINDS.map((k) => el('option', { value: k }, enumName(k, 'RUBRIC_KIND_'))));
  c.params = el('textarea', { id: 'rubric-params', name: 'params', rows: 4, cols: 36,
    placeholder: '{"length": {"maxWords": 60}}' });
  const general = el('p', { className: 'form-error', role: 'alert', hidden: true });
  const title = el('h3', { id: 'rubric-form-title' }, 'New rubric');
  const form = el('form', { id: 'rubric-form', className: 'editor', noValidate: true,
    attrs: { 'aria-labelledby': 'rubric-form-title' } },
  title, general,
  el('div', { className: 'form-grid' },
    input('name', 'name', { size: 20, placeholder: 'concise' }), labeled('kind', c.kind),
    input('description', 'description', { size: 30 }),
    input('sample_rate', 'sample rate (0..1)', { type: 'number', step: 'any' }),
    input('threshold', 'pass threshold', { type: 'number', step: 'any' }),
    input('weight', 'weight in composites', { type: 'number', step: 'any' }),
    input('apps', 'apps (comma-separated, empty = all)', { size: 20 }),
    input('requires_contexts', 'needs contexts', { type: 'checkbox' }),
    input('requires_reference', 'needs a reference', { type: 'checkbox' }),
    input('enabled', 'enabled', { type: 'checkbox', checked: true }),
    labeled('parameters (JSON, by kind)', c.params, 'field wide')),
  el('div', { className: 'buttons' },
    el('button', { type: 'submit', id: 'rubric-save' }, 'Save rubric'),
    el('button', { type: 'reset', id: 'rubric-new' }, 'New rubric')));

  const fill = (r = {}) => {
    formErrors.clear(form);
    title.textContent = r.name ? `Edit rubric ${r.name} (v${r.version || 1})` : 'New rubric';
    c.name.value = r.name || '';
    c.kind.value = r.kind || '';
    c.description.value = r.description || '';
    c.sample_rate.value = r.sampleRate ?? '';
    c.threshold.value = r.threshold ?? '';
    c.weight.value = r.weight ?? '';
    c.apps.value = (r.apps || []).join(',');
    c.requires_contexts.checked = !!r.requiresContexts;
    c.requires_reference.checked = !!r.requiresReference;
    c.enabled.checked = r.enabled !== false;
    const params = {};
    for (const p of PARAMS) if (r[p]) params[p] = r[p];
    c.params.value = Object.keys(params).length ? JSON.stringify(params) : '';
  };
  form.addEventListener('reset', (e) => {
    e.preventDefault();
    fill();
    c.name.focus();
  });
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    formErrors.clear(form);
    const r = { name: c.name.value.trim(), description: c.description.value.trim(),
      requiresContexts: c.requires_contexts.checked, requiresReference: c.requires_reference.checked,
      enabled: c.enabled.checked };
    if (c.kind.value) r.kind = c.kind.value;
    for (const [n, f] of [['sample_rate', 'sampleRate'], ['threshold', 'threshold'], ['weight', 'weight']]) {
      if (c[n].value !== '') r[f] = Number(c[n].value);
    }
    const apps = c.apps.value.split(',').map((x) => x.trim()).filter(Boolean);
    if (apps.length) r.apps = apps;
    if (c.params.value.trim()) {
      try {
        Object.assign(r, JSON.parse(c.params.value));
      } catch (err) {
        formErrors.show(form, { message: `rubric '${r.name}': params: not JSON (${err.message})` },
          () => c.params);
        return;
      }
    }
    try {
      onSaved(await api.upsertRubric(r));
    } catch (err) {
      formErrors.show(form, err, (f) => c[f] || (PARAMS.includes(f.split('.')[0]) || f === 'params'
        ? c.params : null));
    }
  });
  return { form, fill };
}

export async function render(root, ctx) {
  const tableBox = el('div', { id: 'rubrics-box' });
  const editor = rubricForm(() => ctx.rerender());
  root.append(el('div', { className: 'layout' }, el('div', { className: 'main-column' }, tableBox),
    el('aside', { className: 'panel side' }, editor.form)));
  const f = state.filter();
  const [list, comp] = await Promise.all([api.listRubrics(), api.completeness({
    startUnixNano: f.startUnixNano, endUnixNano: f.endUnixNano, app: f.app, model: f.model,
    variant: f.variant })]);
  if (!ctx.alive()) return;
  const counts = new Map((comp.rubrics || []).map((r) => [r.rubric, r]));
  const rows = (list.rubrics || []).map((r) => {
    const k = counts.get(r.name) || {};
    const skipped = Object.values(k.skipped || {}).reduce((a, n) => a + Number(n), 0);
    const toggle = el('input', { type: 'checkbox', checked: r.enabled !== false,
      id: `enabled-${r.name}`, attrs: { 'aria-label': `${r.name} enabled` } });
    toggle.addEventListener('change', async () => {
      toggle.disabled = true;
      try {
        const saved = await api.setRubricEnabled(r.name, toggle.checked);
        Object.assign(r, saved);  // The editor opens what the server now holds.
        if (saved.enabled === undefined) delete r.enabled;
        toggle.checked = saved.enabled !== false;
        ctx.clearError();
      } catch (e) {
        toggle.checked = !toggle.checked;
        ctx.error(e);
      } finally {
        toggle.disabled = false;
      }
    });
    const edit = el('button', { type: 'button', attrs: { 'aria-label': `Edit rubric ${r.name}` },
      on: { click: () => {
        editor.fill(r);
        editor.form.querySelector('#rubric-name').focus();
      } } }, 'Edit');
    return el('tr', { dataset: { rubric: r.name } },
      el('th', { scope: 'row', title: r.description || '' }, r.name),
      el('td', {}, enumName(r.kind, 'RUBRIC_KIND_')),
      el('td', { className: 'num' }, `v${r.version || 1}`),
      el('td', { className: 'num' }, `${Math.round((r.sampleRate ?? 1) * 100)}%`),
      el('td', { className: 'num' }, r.threshold ?? 0.5),
      el('td', {}, toggle),
      el('td', { className: 'num', dataset: { col: 'scored' } }, count(k.scored)),
      el('td', { className: 'num', dataset: { col: 'sampled-out' } }, count(k.sampledOut)),
      el('td', { className: `num${skipped ? ' warn' : ''}`, dataset: { col: 'skipped' },
        title: Object.entries(k.skipped || {}).map(([w, n]) => `${w}: ${n}`).join(', ') },
      count(skipped)),
      el('td', { className: 'num', dataset: { col: 'errors' } }, count(k.errors)),
      el('td', {}, edit));
  });
  tableBox.replaceChildren(panel('Rubrics', rows.length
    ? el('div', { className: 'table-wrap' }, el('table', { id: 'rubrics-table' },
      el('thead', {}, el('tr', {}, ['rubric', 'kind', 'version', 'rate', 'threshold', 'enabled',
        'scored', 'sampled out', 'skipped', 'errors', ''].map((h) => el('th', { scope: 'col' }, h)))),
      el('tbody', {}, rows)))
    : message('No rubrics configured.'),
  el('p', { className: 'muted' }, `Counts over the filter's time range; ` +
    `${count(comp.stored)} samples stored in it.`)));
  ctx.clearError();
}

// The only module that talks to the collector's /api/v1/. Every query is a POST of the request
// message in protobuf's JSON mapping to /api/v1/<Method>; the answer is the response message,
// or {"code", "message"} with an HTTP error status. Live scores come from GET /api/v1/tail as
// server-sent events.
//
// Authentication: when the collector answers 401, the page asks for an API key (a dialog),
// keeps it in sessionStorage for this tab only, and sends it as "Authorization: Bearer <key>".
import { el } from './lib/dom.js';

const KEY_STORAGE = 'llmtap.apiKey';

export class ApiError extends Error {
  // `code` is the gRPC code (3 = INVALID_ARGUMENT, ...), `status` the HTTP status.
  constructor(method, message, code, status) {
    super(`${method}: ${message} (${code !== undefined ? `code ${code}, ` : ''}HTTP ${status})`);
    this.method = method;
    this.serverMessage = message;
    this.code = code;
    this.status = status;
  }
}

function authHeaders() {
  const key = sessionStorage.getItem(KEY_STORAGE);
  return key ? { Authorization: `Bearer ${key}` } : {};
}

// One dialog at a time, however many requests got a 401 at once.
let keyPrompt = null;
function askForKey(reason) {
  if (keyPrompt) return keyPrompt;
  keyPrompt = new Promise((resolve) => {
    const input = el('input', { type: 'password', name: 'key', id: 'api-key-input',
      autocomplete: 'off', required: true });
    const form = el('form', { method: 'dialog', className: 'key-form' },
      el('h2', {}, 'API key required'),
      el('p', { className: 'muted' }, reason),
      el('label', { className: 'field', htmlFor: 'api-key-input' },
        el('span', { className: 'label-text' }, 'API key (kept for this tab only)'), input),
      el('div', { className: 'buttons' },
        el('button', { type: 'submit', value: 'ok', id: 'api-key-submit' }, 'Use key'),
        el('button', { type: 'submit', value: 'cancel', formNoValidate: true }, 'Cancel')));
    const dialog = el('dialog', { id: 'api-key-dialog', attrs: { 'aria-labelledby': 'api-key-title' } },
      form);
    form.querySelector('h2').id = 'api-key-title';
    document.body.append(dialog);
    dialog.addEventListener('close', () => {
      const key = dialog.returnValue === 'ok' ? input.value.trim() : '';
      dialog.remove();
      keyPrompt = null;
      if (key) sessionStorage.setItem(KEY_STORAGE, key);
      resolve(key);
    });
    dialog.showModal();
    input.focus();
  });
  return keyPrompt;
}

export function forgetKey() {
  sessionStorage.removeItem(KEY_STORAGE);
}

// POSTs `body` to /api/v1/<method>; resolves to the parsed response, or throws an ApiError.
export async function call(method, body = {}) {
  for (let attempt = 0; ; attempt++) {
    let res;
    try {
      res = await fetch(`/api/v1/${method}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...authHeaders() },
        body: JSON.stringify(body),
      });
    } catch (e) {
      throw new ApiError(method, `cannot reach the collector (${e.message})`, undefined, 0);
    }
    const text = await res.text();
    let json = null;
    try {
      json = text ? JSON.parse(text) : {};
    } catch {
      // Not JSON: reported below.
    }
    if (res.status === 401 && attempt < 3) {
      const had = sessionStorage.getItem(KEY_STORAGE);
      forgetKey();
      const key = await askForKey(had ? 'The collector refused the key.' :
        'This collector requires an API key.');
      if (key) continue;
    }
    if (!res.ok) {
      const msg = json && json.message ? json.message : text.trim() || res.statusText;
      throw new ApiError(method, msg, json ? json.code : undefined, res.status);
    }
    if (json === null) throw new ApiError(method, 'the answer is not JSON', undefined, res.status);
    return json;
  }
}

// The typed calls the views use. Each takes the request message (camelCase JSON mapping).
export const getSample = (id) => call('GetSample', { id });
export const listSamples = (req) => call('ListSamples', req);
export const trend = (req) => call('Trend', req);
export const stats = (filter) => call('Stats', { filter });
export const compare = (req) => call('Compare', req);
export const completeness = (filter) => call('Completeness', { filter });
export const listRubrics = () => call('ListRubrics', { includeDisabled: true });
export const upsertRubric = (rubric) => call('UpsertRubric', { rubric });
export const setRubricEnabled = (name, enabled) => call('SetRubricEnabled', { name, enabled });
export const listAlertRules = () => call('ListAlertRules', {});
export const upsertAlertRule = (rule) => call('UpsertAlertRule', { rule });
export const deleteAlertRule = (name) => call('DeleteAlertRule', { name });
export const listAlerts = (req) => call('ListAlerts', req);

// Streams new scores matching `filter` (app, model, variant, session, rubric) from
// GET /api/v1/tail as server-sent events, calling onEvent(TailResponse) for each. Returns a
// function that stops the stream. onOpen() is called once the collector accepted the stream,
// onError(ApiError) once if the stream fails.
export function tail(filter, onEvent, onError, onOpen = () => {}) {
  const controller = new AbortController();
  const params = new URLSearchParams();
  for (const k of ['app', 'model', 'variant', 'sessionId', 'promptVersion', 'rubric']) {
    if (filter[k]) params.set(k, filter[k]);
  }
  if (filter.scoreBelow !== undefined) params.set('scoreBelow', filter.scoreBelow);
  if (filter.scoreAbove !== undefined) params.set('scoreAbove', filter.scoreAbove);
  (async () => {
    for (let attempt = 0; attempt < 3; attempt++) {
      const res = await fetch(`/api/v1/tail?${params}`, {
        headers: { Accept: 'text/event-stream', ...authHeaders() },
        signal: controller.signal,
      });
      if (res.status === 401) {
        forgetKey();
        if (await askForKey('This collector requires an API key.')) continue;
      }
      if (!res.ok) {
        const text = await res.text();
        let msg = text;
        let code;
        try {
          ({ message: msg, code } = JSON.parse(text));
        } catch { /* plain text */ }
        throw new ApiError('Tail', msg, code, res.status);
      }
      onOpen();
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      let buf = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buf += value;
        let end;
        while ((end = buf.indexOf('\n\n')) >= 0) {
          const chunk = buf.slice(0, end);
          buf = buf.slice(end + 2);
          const data = chunk.split('\n').filter((l) => l.startsWith('data:'))
            .map((l) => l.slice(5).trimStart()).join('\n');
          if (data) onEvent(JSON.parse(data));
        }
      }
    }
  })().catch((e) => {
    if (controller.signal.aborted) return;
    onError(e instanceof ApiError ? e : new ApiError('Tail', e.message, undefined, 0));
  });
  return () => controller.abort();
}

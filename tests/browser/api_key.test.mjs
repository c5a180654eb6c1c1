// The dashboard against a collector that requires an API key: the page asks for one when the
// collector answers 401, keeps it in sessionStorage for the tab, sends it as
// "Authorization: Bearer <key>" on every query and on the live stream, and asks again when the
// key is refused.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { findLlmtapd, launchChromium, startLlmtapd, stopLlmtapd } from './support.mjs';

const WAIT_MS = 10_000;

describe('dashboard with API keys', () => {
  let tmp;
  let daemon;
  let ports;
  let context;
  let page;
  let secret;

  before(async () => {
    tmp = mkdtempSync(path.join(tmpdir(), 'llmtap-browser-key-'));
    const dataDir = path.join(tmp, 'data');
    secret = execFileSync(findLlmtapd(), ['--new_admin_key', `--data_dir=${dataDir}`],
      { encoding: 'utf8' }).trim();
    assert.ok(secret.length > 10, `a secret, got "${secret}"`);
    ({ process: daemon, ports } = await startLlmtapd(dataDir));
    context = await launchChromium(path.join(tmp, 'chromium-profile'));
    page = context.pages()[0] ?? await context.newPage();
    page.setDefaultTimeout(WAIT_MS);
  });

  after(async () => {
    try {
      if (context) await context.close();
    } finally {
      await stopLlmtapd(daemon);
      if (tmp) rmSync(tmp, { recursive: true, force: true });
    }
  });

  test('asks for a key on 401, asks again when refused, then keeps it for the tab', async () => {
    const sent = [];
    page.on('request', (r) => {
      if (r.url().includes('/api/v1/')) sent.push(r.headers().authorization || '');
    });
    await page.goto(`http://127.0.0.1:${ports.http_port}/`);
    await page.waitForSelector('#api-key-dialog[open]');
    await page.fill('#api-key-input', 'not-the-key');
    await page.click('#api-key-submit');
    // Refused: the dialog comes back and says so.
    await page.waitForSelector('#api-key-dialog[open]');
    assert.match(await page.textContent('#api-key-dialog'), /refused/);
    await page.fill('#api-key-input', secret);
    await page.click('#api-key-submit');
    await page.waitForFunction(() => document.body.dataset.state === 'ready');
    assert.equal(await page.textContent('[data-tile="samples"] .tile-value'), '0');
    assert.equal(await page.evaluate(() => sessionStorage.getItem('llmtap.apiKey')), secret);
    assert.ok(sent.includes(`Bearer ${secret}`), 'the key went out as a Bearer header');
    // Another view in the same tab: no dialog, the key is reused, the live stream too.
    await page.goto(`http://127.0.0.1:${ports.http_port}/?view=live`);
    await page.waitForFunction(() =>
      /waiting/i.test(document.getElementById('live-status')?.textContent || ''));
    assert.equal(await page.isVisible('#api-key-dialog'), false);
    assert.equal(await page.isHidden('#error-bar'), true);
  });
});

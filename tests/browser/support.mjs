// Shared by the browser suites: a real llmtapd on free loopback ports, and headless Chromium
// (Debian's /usr/bin/chromium through playwright-core, which lives in web/node_modules).
//
// Env: LLMTAP_BIN_DIR  folder of llmtapd (default build-web/bin, then build/bin)
//      GRPCURL         the grpcurl binary (default $(go env GOPATH)/bin/grpcurl, then PATH)
//      CHROMIUM        the browser (default /usr/bin/chromium)
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const srcDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
// ES modules ignore NODE_PATH: load playwright-core from web/node_modules.
export const { chromium } = createRequire(path.join(srcDir, 'web/package.json'))('playwright-core');

const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export function findLlmtapd() {
  const dirs = [process.env.LLMTAP_BIN_DIR, path.join(srcDir, 'build-web/bin'),
    path.join(srcDir, 'build/bin')].filter(Boolean);
  for (const d of dirs) {
    const bin = path.join(d, 'llmtapd');
    if (existsSync(bin)) return bin;
  }
  throw new Error(`llmtapd not found in ${dirs.join(', ')}; build it or set LLMTAP_BIN_DIR`);
}

export function findGrpcurl() {
  if (process.env.GRPCURL) return process.env.GRPCURL;
  try {
    const gopath = execFileSync('go', ['env', 'GOPATH'], { encoding: 'utf8' }).trim();
    const bin = path.join(gopath, 'bin', 'grpcurl');
    if (existsSync(bin)) return bin;
  } catch {
    // No go: fall back to PATH.
  }
  return 'grpcurl';
}

// Starts llmtapd on `dataDir` with free ports and waits until it serves (20 s at most).
// Resolves to { process, ports: {grpc_port, http_port}, log() }. The daemon never outlives
// this Node process.
export async function startLlmtapd(dataDir, extraArgs = []) {
  const ready = `${dataDir}.ready.json`;
  const daemon = spawn(findLlmtapd(), [`--data_dir=${dataDir}`, '--grpc_addr=127.0.0.1:0',
    '--http_addr=127.0.0.1:0', `--ready_file=${ready}`, ...extraArgs],
  { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  daemon.stdout.on('data', (d) => { log += d; });
  daemon.stderr.on('data', (d) => { log += d; });
  process.on('exit', () => daemon.kill('SIGKILL'));
  const deadline = Date.now() + 20_000;
  while (!existsSync(ready)) {
    if (daemon.exitCode !== null) throw new Error(`llmtapd exited early:\n${log}`);
    if (Date.now() > deadline) throw new Error(`llmtapd not ready in 20 s:\n${log}`);
    await sleep(50);
  }
  return { process: daemon, ports: JSON.parse(readFileSync(ready, 'utf8')), log: () => log };
}

// SIGTERM, then SIGKILL if it has not exited within 5 s.
export async function stopLlmtapd(daemon) {
  if (!daemon || daemon.exitCode !== null || daemon.signalCode !== null) return;
  daemon.kill('SIGTERM');
  const exited = new Promise((r) => daemon.once('exit', r));
  await Promise.race([exited, sleep(5000)]);
  if (daemon.exitCode === null && daemon.signalCode === null) daemon.kill('SIGKILL');
}

// A headless Chromium context with its profile in `profileDir`.
export function launchChromium(profileDir, options = {}) {
  return chromium.launchPersistentContext(profileDir, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1400, height: 1000 },
    ...options,
  });
}

#!/usr/bin/env node
// End-to-end test in a real VS Code: packages the extension, installs the .vsix into
// code-server 4.100.3 (prepared by scripts/setup-e2e.sh), drives it with headless Chromium and
// writes screenshots and result.json to test-artifacts/e2e/. Exits non-zero when a check fails.
//   node scripts/run-e2e.mjs [--no-package] [--keep]
//     --no-package  reuse nas-studio-<version>.vsix instead of building it
//     --keep        keep the temporary user-data and workspace folders for inspection
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runRestrictedModeScenario, runUiScenario } from '../test/e2e/ui-scenario.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = new Set(process.argv.slice(2));
const artifacts = path.join(root, 'test-artifacts/e2e');
const codeServerBin = path.join(root, '.e2e/code-server/node_modules/.bin/code-server');
const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const vsix = path.join(root, `nas-studio-${manifest.version}.vsix`);
const TOTAL_TIMEOUT_MS = 5 * 60_000;

function log(message) {
  console.log(`[e2e ${new Date().toISOString().slice(11, 19)}] ${message}`);
}

function fail(message) {
  console.error(`e2e: ${message}`);
  process.exit(1);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function waitForHealth(url, child, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`code-server exited with ${child.exitCode}`);
    try {
      const response = await fetch(url);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`code-server did not answer ${url} within ${timeoutMs} ms`);
}

/** The workspace the editor opens: the lead's examples plus this test's fixture with an error. */
function prepareWorkspace(dir) {
  fs.mkdirSync(dir, { recursive: true });
  for (const name of ['resnet50.nas', 'nb201.nas', 'nb201_search.nas']) {
    fs.copyFileSync(path.join(root, 'examples', name), path.join(dir, name));
  }
  fs.copyFileSync(path.join(root, 'test/e2e/fixtures/tiny.nas'), path.join(dir, 'tiny.nas'));
}

function writeUserSettings(userDataDir, extra = {}) {
  const settings = {
    ...extra,
    'workbench.startupEditor': 'none',
    'workbench.tips.enabled': false,
    'workbench.welcomePage.walkthroughs.openOnInstall': false,
    'workbench.enableExperiments': false,
    'window.restoreWindows': 'none',
    'editor.inlayHints.enabled': 'on',
    'editor.hover.delay': 150,
    'editor.minimap.enabled': false,
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    'extensions.ignoreRecommendations': true,
    'git.enabled': false,
    'telemetry.telemetryLevel': 'off',
    'update.mode': 'none',
    'security.workspace.trust.enabled': false,
    ...extra,
  };
  const dir = path.join(userDataDir, 'User');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'settings.json'), JSON.stringify(settings, null, 2));
}

/** Activation lines the extension writes into its log output channel. */
function readActivationTimes(userDataDir) {
  const times = [];
  const walk = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.log')) {
        for (const match of fs.readFileSync(full, 'utf8').matchAll(/NAS Studio activated in ([\d.]+) ms(?: \(([^)]*)\))?/g)) {
          times.push(Number(match[1]));
          if (match[2]) log(`extension log: ${match[0]}`);
        }
      }
    }
  };
  const logs = path.join(userDataDir, 'logs');
  if (fs.existsSync(logs)) walk(logs);
  return times;
}

function killGroup(child) {
  if (child.exitCode !== null || child.pid === undefined) return;
  try {
    // code-server leaves fileWatcher children behind unless the whole group ends.
    process.kill(-child.pid, 'SIGTERM');
  } catch {
    // already gone
  }
}

async function main() {
  if (!fs.existsSync(codeServerBin)) fail('code-server is not installed: run scripts/setup-e2e.sh first');
  if (!fs.existsSync('/usr/bin/chromium')) fail('chromium is not installed: run scripts/setup-e2e.sh first');
  fs.rmSync(artifacts, { recursive: true, force: true });
  fs.mkdirSync(artifacts, { recursive: true });

  if (!args.has('--no-package') || !fs.existsSync(vsix)) {
    log('packaging the extension');
    const packaged = spawnSync('npm', ['run', 'package'], { cwd: root, stdio: 'inherit' });
    if (packaged.status !== 0) fail('npm run package failed');
  }

  const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'nas-e2e-'));
  const userDataDir = path.join(temp, 'user');
  const extensionsDir = path.join(temp, 'ext');
  const workspace = path.join(temp, 'workspace');
  prepareWorkspace(workspace);
  writeUserSettings(userDataDir);
  const env = {
    ...process.env,
    XDG_CONFIG_HOME: path.join(temp, 'xdg-config'),
    XDG_DATA_HOME: path.join(temp, 'xdg-data'),
  };
  const common = [
    '--auth',
    'none',
    '--user-data-dir',
    userDataDir,
    '--extensions-dir',
    extensionsDir,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
  ];

  log(`installing ${path.basename(vsix)}`);
  const install = spawnSync(codeServerBin, [...common, '--install-extension', vsix], { env, encoding: 'utf8' });
  if (install.status !== 0 || !/successfully installed/i.test(install.stdout + install.stderr)) {
    fail(`installing the .vsix failed:\n${install.stdout}\n${install.stderr}`);
  }

  const watchdog = setTimeout(() => {
    console.error(`e2e: gave up after ${TOTAL_TIMEOUT_MS / 1000} s`);
    process.exit(1);
  }, TOTAL_TIMEOUT_MS);

  /** Starts code-server on a free port; the caller must call stop(). */
  async function startCodeServer(flags, logName) {
    const port = await freePort();
    const serverLog = fs.createWriteStream(path.join(artifacts, logName));
    const child = spawn(codeServerBin, [...flags, '--bind-addr', `127.0.0.1:${port}`], { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.pipe(serverLog);
    child.stderr.pipe(serverLog);
    const stop = () => killGroup(child);
    process.on('exit', stop);
    await waitForHealth(`http://127.0.0.1:${port}/healthz`, child, 30_000);
    log(`code-server on port ${port}`);
    return { port, stop };
  }

  let result;
  const main = await startCodeServer(common, 'code-server.log');
  try {
    result = await runUiScenario({
      url: `http://127.0.0.1:${main.port}/?folder=${encodeURIComponent(workspace)}`,
      artifacts,
      browserProfile: path.join(temp, 'chromium'),
      log,
    });
  } finally {
    main.stop();
  }

  // A second session with workspace trust on and the folder left untrusted (Restricted Mode).
  const restrictedUser = path.join(temp, 'user-restricted');
  const restrictedWorkspace = path.join(temp, 'workspace-restricted');
  prepareWorkspace(restrictedWorkspace);
  writeUserSettings(restrictedUser, {
    'security.workspace.trust.enabled': true,
    'security.workspace.trust.startupPrompt': 'never',
    'security.workspace.trust.banner': 'always',
  });
  const restrictedFlags = common.filter((f) => f !== '--disable-workspace-trust').map((f) => (f === userDataDir ? restrictedUser : f));
  const restricted = await startCodeServer(restrictedFlags, 'code-server-restricted.log');
  try {
    const more = await runRestrictedModeScenario({
      url: `http://127.0.0.1:${restricted.port}/?folder=${encodeURIComponent(restrictedWorkspace)}`,
      artifacts,
      browserProfile: path.join(temp, 'chromium-restricted'),
      log,
    });
    result.checks.push(...more.checks);
    result.screenshots.push(...more.screenshots);
  } finally {
    restricted.stop();
    clearTimeout(watchdog);
  }

  const activationMs = readActivationTimes(userDataDir);
  result.activationMs = activationMs;
  // The extension's own measure of its activate() call; the 200 ms budget itself is checked by
  // `npm run bench:activation` (speed belongs in benchmarks), so here it is reported.
  result.checks.push({
    name: 'the extension activated and logged its activation time',
    ok: activationMs.length > 0,
    detail:
      activationMs.length > 0
        ? `activate() ${activationMs.join(', ')} ms; VS Code activation ${result.timings.vscodeActivationMs ?? '?'} ms`
        : 'no activation line in the logs',
  });
  fs.writeFileSync(path.join(artifacts, 'result.json'), JSON.stringify(result, null, 2));
  if (!args.has('--keep')) fs.rmSync(temp, { recursive: true, force: true });
  else log(`kept ${temp}`);

  for (const check of result.checks) log(`${check.ok ? 'PASS' : 'FAIL'} ${check.name}${check.detail ? `: ${check.detail}` : ''}`);
  log(`screenshots in ${path.relative(root, artifacts)}/`);
  const failed = result.checks.filter((c) => !c.ok);
  if (failed.length > 0) fail(`${failed.length} check(s) failed`);
  log('all checks passed');
  process.exit(0);
}

main().catch((error) => fail(error instanceof Error ? (error.stack ?? error.message) : String(error)));

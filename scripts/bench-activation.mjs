#!/usr/bin/env node
// Extension activation time, as VS Code counts it: loading the bundle (dist/extension.cjs)
// plus the `activate` call. Each sample runs in a fresh Node process (a cold module cache, as in
// a new extension host) against a stand-in `vscode` module. `activate` schedules the language
// client (dist/language-client.cjs) for the next turn of the event loop; its load time is
// reported on its own line, and the server's start-up is not measured here.
//   node scripts/bench-activation.mjs [--runs N] [--bundle path]   (target: p50 and max < 200 ms)
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const option = (name, fallback) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : fallback;
};
const runs = Number(option('--runs', '15'));
const BUDGET_MS = 200;

// The production bundle that ships in the .vsix when it was built, else the development one.
const bundle = path.resolve(
  option('--bundle', fs.existsSync(path.join(root, 'out/vsix/dist/extension.cjs')) ? 'out/vsix/dist/extension.cjs' : 'dist/extension.cjs'),
);
if (!fs.existsSync(bundle)) {
  console.error(`bench-activation: ${path.relative(root, bundle)} is missing; run npm run build or npm run package`);
  process.exit(1);
}

// Runs in the child: a `vscode` stand-in where every member is a callable that returns another
// stand-in, enough for activation to create its channel, commands, status bar and client.
const child = `
const Module = require('node:module');
const { performance } = require('node:perf_hooks');
const make = () => {
  const fn = function () { return proxy; };
  const proxy = new Proxy(fn, {
    get(target, key) {
      if (key === 'then') return undefined;
      if (key === Symbol.toPrimitive) return () => '';
      if (key === 'isTrusted') return true;
      return proxy;
    },
    set() { return true; },
    apply() { return proxy; },
    construct() { return proxy; },
  });
  return proxy;
};
// The bundle imports vscode as a namespace (esbuild copies its own keys), so the top level is
// an object that lists the API's namespaces and classes as its own keys.
const NAMESPACES = ['window', 'workspace', 'commands', 'languages', 'env', 'extensions', 'Uri', 'Disposable',
  'EventEmitter', 'CancellationTokenSource', 'MarkdownString', 'StatusBarAlignment', 'Range', 'Position',
  'Location', 'Diagnostic', 'DiagnosticSeverity', 'CodeLens', 'CompletionItem', 'ThemeIcon', 'ProgressLocation',
  'FileSystemError', 'RelativePattern', 'version'];
const any = make();
const vscode = new Proxy({}, {
  get: (_target, key) => (key === 'then' ? undefined : key === 'version' ? '1.100.3' : any),
  ownKeys: () => NAMESPACES,
  getOwnPropertyDescriptor: (_target, key) => ({ configurable: true, enumerable: true, writable: true, value: any }),
});
const load = Module._load;
Module._load = function (request, ...rest) {
  return request === 'vscode' ? vscode : load.call(this, request, ...rest);
};
const lines = [];
const context = {
  subscriptions: [],
  asAbsolutePath: (p) => require('node:path').join(${JSON.stringify(path.dirname(path.dirname(bundle)))}, p),
  extensionPath: ${JSON.stringify(path.dirname(path.dirname(bundle)))},
};
const t0 = performance.now();
const extension = require(${JSON.stringify(bundle)});
const t1 = performance.now();
extension.activate(context);
const t2 = performance.now();
// Not activation: the client bundle that activate() schedules for the next turn, timed alone.
const clientBundle = require('node:path').join(${JSON.stringify(path.dirname(bundle))}, 'language-client.cjs');
const t3 = performance.now();
require(clientBundle);
const clientLoadMs = performance.now() - t3;
process.stdout.write(JSON.stringify({ loadMs: t1 - t0, activateMs: t2 - t1, totalMs: t2 - t0, clientLoadMs }));
process.exit(0);
`;

const samples = [];
for (let i = 0; i < runs; i++) {
  const result = spawnSync(process.execPath, ['-e', child], { encoding: 'utf8', timeout: 30_000 });
  if (result.status !== 0) {
    console.error(`bench-activation: sample ${i} failed:\n${result.stderr}`);
    process.exit(1);
  }
  samples.push(JSON.parse(result.stdout));
}
const stat = (key) => {
  const values = samples.map((s) => s[key]).sort((a, b) => a - b);
  return { p50: values[Math.floor(values.length / 2)], max: values[values.length - 1] };
};
const total = stat('totalMs');
const report = {
  bundle: path.relative(root, bundle),
  bundleBytes: fs.statSync(bundle).size,
  runs,
  loadMs: stat('loadMs'),
  activateMs: stat('activateMs'),
  totalMs: total,
  clientLoadMs: stat('clientLoadMs'),
  budgetMs: BUDGET_MS,
  ok: total.p50 < BUDGET_MS,
};
const fmt = (s) => `p50 ${s.p50.toFixed(1)} ms, max ${s.max.toFixed(1)} ms`;
console.log(`extension activation (${report.bundle}, ${(report.bundleBytes / 1024).toFixed(0)} KiB, ${runs} fresh processes)`);
console.log(`  load bundle : ${fmt(report.loadMs)}`);
console.log(`  activate()  : ${fmt(report.activateMs)}`);
console.log(`  total       : ${fmt(report.totalMs)}  (budget ${BUDGET_MS} ms: ${report.ok ? 'ok' : 'OVER'})`);
console.log(`  then, after activation: loading the language client bundle ${fmt(report.clientLoadMs)}`);
if (argv.includes('--json')) console.log(JSON.stringify(report));
process.exit(report.ok ? 0 : 1);

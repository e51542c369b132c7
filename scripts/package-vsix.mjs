#!/usr/bin/env node
// Builds nas-studio-<version>.vsix at the repository root with @vscode/vsce.
// The production bundles (minified, no source maps) are built in a staging folder, out/vsix/,
// with the project's own esbuild.mjs, so dist/ — which the tests and the CLI use — is never
// rewritten under a running test. vsce then packages the staging folder without dependencies
// (everything is bundled), keeping only what .vscodeignore allows.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const stage = path.join(root, 'out/vsix');
const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const vsix = path.join(root, `${manifest.name}-${manifest.version}.vsix`);

// What esbuild.mjs reads (linked) and what the package ships besides the bundles (copied).
const BUILD_INPUTS = ['esbuild.mjs', 'src', 'language-server', 'webview', 'node_modules', 'tsconfig.json'];
const SHIPPED = [
  'bin/nas.cjs',
  'package.json',
  '.vscodeignore',
  'language-configuration.json',
  'syntaxes',
  'CHANGELOG.md',
  'LICENSE',
  'images/icon.png',
  'images/screenshot-hints.png',
  'images/screenshot-graph.png',
  'images/screenshot-search.png',
  // The PyTorch engine's worker (found beside dist/ by src/core/torch/python.ts).
  'python/nas_torch_worker.py',
  'python/nas_torch_supernet.py',
];
const WASM_BINARIES = ['tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm.wasm'];
// The extension's page in VS Code is written for its users; the repository's README is for developers.
const EXTENSION_README = 'docs/extension-readme.md';

function run(command, args, cwd) {
  const result = spawnSync(command, args, { cwd, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`package: ${command} ${args.join(' ')} failed (${result.status ?? result.signal})`);
    process.exit(1);
  }
}

fs.rmSync(stage, { recursive: true, force: true });
fs.mkdirSync(stage, { recursive: true });
for (const name of BUILD_INPUTS) {
  if (fs.existsSync(path.join(root, name))) fs.symlinkSync(path.join(root, name), path.join(stage, name));
}
run(process.execPath, ['esbuild.mjs', '--production'], stage);
for (const bundle of ['dist/extension.cjs', 'dist/language-client.cjs', 'dist/language-server.cjs', 'dist/search.cjs', 'dist/cli.cjs']) {
  if (!fs.existsSync(path.join(stage, bundle))) {
    console.error(`package: ${bundle} was not built`);
    process.exit(1);
  }
}
// The links must go before vsce walks the folder (node_modules alone is hundreds of MB).
for (const name of BUILD_INPUTS) fs.rmSync(path.join(stage, name), { force: true });
// The extension runs searches with the CLI (bin/nas.cjs -> dist/cli.cjs, training in
// dist/cli-train.cjs); `nas graph`'s bundle is for the terminal only.
fs.rmSync(path.join(stage, 'dist/cli-graph.cjs'), { force: true });
// The training evaluators (dist/cli-train.cjs) run tfjs-backend-wasm, which reads its .wasm
// binary next to the bundle that inlined it: SIMD, and the plain build for engines without
// SIMD. (The threaded build needs workers and SharedArrayBuffer, which it does not use in Node.)
for (const name of WASM_BINARIES) {
  fs.copyFileSync(path.join(root, 'node_modules/@tensorflow/tfjs-backend-wasm/dist', name), path.join(stage, 'dist', name));
}
for (const name of SHIPPED) {
  const source = path.join(root, name);
  if (fs.existsSync(source)) fs.cpSync(source, path.join(stage, name), { recursive: true });
}
fs.copyFileSync(path.join(root, EXTENSION_README), path.join(stage, 'README.md'));

const vsce = path.join(root, 'node_modules/@vscode/vsce/vsce');
run(process.execPath, [vsce, 'package', '--no-dependencies', '--allow-missing-repository', '--no-rewrite-relative-links', '--out', vsix], stage);
const size = fs.statSync(vsix).size;
console.log(`package: ${path.relative(root, vsix)} (${(size / 1024).toFixed(0)} KiB)`);

// Builds the .vsix exactly as `npm run package` does and checks what goes into it: the bundled
// extension and server, the grammar and language configuration, tfjs-backend-wasm's binaries
// (a training search runs from the unpacked package), nothing else (no sources, no
// node_modules, no source maps, no tests), and a size under 5 MB.
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { readZipEntries, readZipEntry, type ZipEntry } from './read-zip-entries.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { name: string; version: string };
const vsix = path.join(root, `${manifest.name}-${manifest.version}.vsix`);
const MAX_BYTES = 5 * 1024 * 1024;

let entries: ZipEntry[];
let names: string[];

beforeAll(() => {
  fs.rmSync(vsix, { force: true });
  execFileSync(process.execPath, [path.join(root, 'scripts/package-vsix.mjs')], { cwd: root, stdio: 'pipe' });
  entries = readZipEntries(vsix);
  names = entries.map((e) => e.name).sort();
}, 180_000);

describe(`${manifest.name}-${manifest.version}.vsix`, () => {
  it('is under 5 MB', () => {
    expect(fs.statSync(vsix).size).toBeLessThan(MAX_BYTES);
  });

  it('holds the bundled extension, the bundled server, the grammar and the language configuration', () => {
    expect(names).toEqual(
      expect.arrayContaining([
        'extension.vsixmanifest',
        '[Content_Types].xml',
        'extension/package.json',
        'extension/dist/extension.cjs',
        'extension/dist/language-client.cjs',
        'extension/dist/language-server.cjs',
        'extension/syntaxes/nas.tmLanguage.json',
        'extension/language-configuration.json',
      ]),
    );
  });

  it('holds the search bundle, the CLI it runs as a child process and the PyTorch worker (both its files)', () => {
    expect(names).toEqual(
      expect.arrayContaining([
        'extension/dist/search.cjs',
        'extension/bin/nas.cjs',
        'extension/dist/cli.cjs',
        'extension/dist/cli-train.cjs',
        'extension/python/nas_torch_worker.py',
        'extension/python/nas_torch_supernet.py',
      ]),
    );
  });

  it("runs a training search from the unpacked extension, with no node_modules: tfjs-backend-wasm's binaries are beside the training bundle", () => {
    expect(names).toEqual(expect.arrayContaining(['extension/dist/tfjs-backend-wasm-simd.wasm', 'extension/dist/tfjs-backend-wasm.wasm']));
    // Installed extensions live outside any project: unpack where no node_modules is above.
    const installed = fs.mkdtempSync(path.join(os.tmpdir(), 'nas-installed-'));
    for (const e of entries.filter((x) => x.name.startsWith('extension/') && !x.name.endsWith('/'))) {
      const target = path.join(installed, e.name);
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.writeFileSync(target, readZipEntry(vsix, e.name));
    }
    fs.writeFileSync(
      path.join(installed, 'tiny.nas'),
      'space Tiny {\n  input(3, 8, 8)\n  conv(choice(4, 8), k=3) -> bn -> relu\n  gap -> fc(10)\n}\n' +
        'search T {\n  space Tiny\n  maximize accuracy\n  evaluator train(data = "shapes10", images = 40, epochs = 2, batch = 10, test = false)\n  budget 1\n}\n',
    );
    const r = spawnSync(process.execPath, [path.join(installed, 'extension/bin/nas.cjs'), 'search', 'tiny.nas', '--out', 'run', '--json'], {
      cwd: installed,
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/training backend: wasm\b/);
    expect(r.stderr).not.toMatch(/ENOENT|Initialization of backend wasm failed/);
    const trial = JSON.parse(r.stdout.split('\n').find((l) => l.startsWith('{"event":"trial"'))!) as { status: string; epochs: unknown[] };
    expect(trial.status).toBe('ok');
    expect(trial.epochs).toHaveLength(2);
  });

  it('holds nothing outside the allowlist: no sources, dependencies, source maps, tests or the terminal-only graph CLI', () => {
    const allowed = [
      /^extension\.vsixmanifest$/,
      /^\[Content_Types\]\.xml$/,
      /^extension\/package\.json$/,
      /^extension\/dist\/(extension|language-client|language-server|search|cli|cli-train)\.cjs$/,
      /^extension\/bin\/nas\.cjs$/,
      /^extension\/python\/nas_torch_(worker|supernet)\.py$/,
      /^extension\/dist\/webview\/[^/]+\.(js|css)$/,
      /^extension\/dist\/tfjs-backend-wasm(-simd)?\.wasm$/,
      /^extension\/syntaxes\/nas\.tmLanguage\.json$/,
      /^extension\/language-configuration\.json$/,
      /^extension\/(readme|changelog|license)(\.md|\.txt)?$/i,
      /^extension\/images\/(icon|screenshot-[a-z]+)\.png$/,
    ];
    const unexpected = names.filter((n) => !allowed.some((pattern) => pattern.test(n)));
    expect(unexpected).toEqual([]);
    expect(names.some((n) => n.includes('node_modules') || n.endsWith('.map') || n.endsWith('.ts'))).toBe(false);
  });

  it('bundles the production build: minified and without source maps', () => {
    const client = entries.find((e) => e.name === 'extension/dist/language-client.cjs');
    expect(client?.size).toBeGreaterThan(100_000);
    const text = readZipEntry(vsix, 'extension/dist/language-client.cjs').toString('utf8');
    expect(text).not.toMatch(/sourceMappingURL/);
    // A minified bundle has long lines; an unminified one averages well under 100 characters.
    const lines = text.split('\n');
    expect(text.length / lines.length).toBeGreaterThan(200);
  });

  it('keeps the activation bundle small: the language client is a separate, lazily loaded bundle', () => {
    const entry = entries.find((e) => e.name === 'extension/dist/extension.cjs');
    expect(entry?.size).toBeLessThan(30_000);
    const text = readZipEntry(vsix, 'extension/dist/extension.cjs').toString('utf8');
    expect(text).toContain('dist/language-client.cjs');
    expect(text).not.toContain('vscode-languageclient');
  });

  it('declares the manifest VS Code needs: engine, entry point, activation and untrusted-workspace support', () => {
    const packaged = JSON.parse(readZipEntry(vsix, 'extension/package.json').toString('utf8')) as {
      engines: { vscode: string };
      main: string;
      activationEvents: string[];
      capabilities: { untrustedWorkspaces: { supported: string } };
    };
    expect(packaged.engines.vscode).toBe('^1.91.0');
    expect(packaged.main).toBe('./dist/extension.cjs');
    expect(packaged.activationEvents).toContain('onLanguage:nas');
    expect(
      packaged.activationEvents.every(
        (e) =>
          e.startsWith('onLanguage:nas') ||
          e.startsWith('onCommand:nas.') ||
          e === 'onWebviewPanel:nas.graph' ||
          e === 'onWebviewPanel:nas.dashboard' ||
          e === 'onView:nasRuns',
      ),
    ).toBe(true);
    expect(packaged.capabilities.untrustedWorkspaces.supported).toBe('limited');
  });

  it('ships the page a user reads, the license, the icon and the changelog', () => {
    const readme = readZipEntry(vsix, 'extension/readme.md').toString('utf8');
    expect(readme).toBe(fs.readFileSync(path.join(root, 'docs/extension-readme.md'), 'utf8'));
    expect(readme).not.toMatch(/npm (ci|test)/);
    expect(readZipEntry(vsix, 'extension/LICENSE.txt').toString('utf8')).toMatch(/^MIT License/);
    expect(readZipEntry(vsix, 'extension/changelog.md').toString('utf8')).toMatch(/^# Changelog/);
    const icon = readZipEntry(vsix, 'extension/images/icon.png');
    expect(icon.subarray(1, 4).toString('latin1')).toBe('PNG');
    const packaged = JSON.parse(readZipEntry(vsix, 'extension/package.json').toString('utf8')) as { icon: string; license: string };
    expect(packaged.icon).toBe('images/icon.png');
    expect(packaged.license).toBe('MIT');
    // Every picture the page shows is in the package, under the relative path the page names.
    const pictures = [...readme.matchAll(/!\[[^\]]*\]\(([^)]+)\)/g)].map((m) => m[1]!);
    expect(pictures.length).toBeGreaterThanOrEqual(2);
    for (const picture of pictures) expect(readZipEntry(vsix, `extension/${picture}`).subarray(1, 4).toString('latin1'), picture).toBe('PNG');
  });
});

// Bundles the CLI, the extension and the language server (CommonJS, Node 20). Entry points
// that do not exist yet are skipped, so the build works while parts are being written.
import * as esbuild from 'esbuild';
import * as fs from 'node:fs';

const production = process.argv.includes('--production');
const entries = [
  { in: 'src/cli/main.ts', out: 'cli' },
  // The training commands' work, loaded by dist/cli.cjs only when they run (src/cli/train-entry.ts).
  { in: 'src/cli/train-entry.ts', out: 'cli-train' },
  // `nas graph`'s work with the layout engine (1.6 MB), loaded by dist/cli.cjs only when it runs.
  { in: 'src/cli/commands/graph-run.ts', out: 'cli-graph' },
  { in: 'src/extension/extension.ts', out: 'extension' },
  // The language client is a bundle of its own that the extension loads after activating:
  // parsing it inside dist/extension.cjs made VS Code's activation time exceed 200 ms.
  { in: 'src/extension/language-client.ts', out: 'language-client' },
  // Search in the editor (runner, dashboard host, runs view), loaded on first use like the client.
  { in: 'src/extension/search/search-feature.ts', out: 'search' },
  { in: 'language-server/main.ts', out: 'language-server' },
].filter((e) => fs.existsSync(e.in));

const common = {
  outdir: 'dist',
  outExtension: { '.js': '.cjs' },
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: !production,
  minify: production,
  // vscode is provided by the editor; the native tfjs packages are optional and loaded at run time.
  // @resvg/resvg-js (`nas graph --out x.png`) loads its platform's native build at run time.
  external: ['vscode', '@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu', '@resvg/resvg-js'],
  logLevel: 'warning',
};

/**
 * In dist/cli.cjs, the training commands' `import('./train-run.js')`, `import('./bench-run.js')`,
 * `import('./search-train-run.js')` (a search with a training evaluator), `import('./proxy-run.js')`,
 * `import('./fuse-run.js')` and `import('./bench-fuse-run.js')`
 * load dist/cli-train.cjs at run time instead of being bundled: a CLI bundle with the training
 * engine in it took 290 ms to load, without it 140 ms (parsing alone is most of that).
 */
const loadTrainingBundle = {
  name: 'load-training-bundle',
  setup(build) {
    build.onResolve({ filter: /^\.\/(train|bench|search-train|proxy|fuse|bench-fuse)-run\.js$/ }, (args) =>
      args.kind === 'dynamic-import' && args.importer.includes('src/cli/commands') ? { path: './cli-train.cjs', external: true } : undefined,
    );
    build.onResolve({ filter: /^\.\/graph-run\.js$/ }, (args) =>
      args.kind === 'dynamic-import' && args.importer.includes('src/cli/commands') ? { path: './cli-graph.cjs', external: true } : undefined,
    );
  },
};

const CLI = new Set(['cli', 'cli-train', 'cli-graph']);
/**
 * The graph webview: a browser bundle (an IIFE for the Chromium of VS Code 1.91) and its
 * stylesheet, into dist/webview/, beside its layout worker.
 */
const webview = {
  bundle: true,
  platform: 'browser',
  target: 'chrome120',
  format: 'iife',
  outdir: 'dist/webview',
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
};
const webviewEntries = [
  { in: 'webview/graph/main.ts', out: 'graph' },
  { in: 'webview/graph/graph.css', out: 'graph' },
  { in: 'webview/dashboard/main.ts', out: 'dashboard' },
  { in: 'webview/dashboard/dashboard.css', out: 'dashboard' },
].filter((e) => fs.existsSync(e.in));
// The layout worker is elkjs' own (minified by its authors), which answers elk-api on the page.
if (webviewEntries.length) {
  fs.mkdirSync('dist/webview', { recursive: true });
  fs.copyFileSync('node_modules/elkjs/lib/elk-worker.min.js', 'dist/webview/graph-worker.js');
}

await Promise.all([
  esbuild.build({ ...webview, entryPoints: webviewEntries }),
  // The CLI carries the training engine: tfjs backends register themselves on import, but
  // their packages declare `sideEffects` that would let esbuild drop `import
  // '@tensorflow/tfjs-backend-cpu'`, leaving no cpu backend; keep every import.
  // `import('./cli-train.cjs')` becomes `require`: bin/nas.cjs runs this bundle from V8's code
  // cache in a vm.Script, where Node 20 cannot resolve a dynamic import.
  esbuild.build({
    ...common,
    entryPoints: entries.filter((e) => e.out === 'cli'),
    ignoreAnnotations: true,
    plugins: [loadTrainingBundle],
    supported: { 'dynamic-import': false },
  }),
  esbuild.build({ ...common, entryPoints: entries.filter((e) => e.out === 'cli-train'), ignoreAnnotations: true }),
  esbuild.build({ ...common, entryPoints: entries.filter((e) => e.out === 'cli-graph') }),
  esbuild.build({ ...common, entryPoints: entries.filter((e) => !CLI.has(e.out)) }),
]);

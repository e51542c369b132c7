/**
 * Bundles a benchmark script as the product is bundled (esbuild.mjs): what users run is
 * dist/*.cjs, not TypeScript through tsx, and tsx keeps function names by wrapping every
 * function it creates in a `__name` call, which costs about a tenth of an elaboration (it
 * creates closures per layer). The bundle goes to dist/bench/NAME.mjs.
 */
import * as esbuild from 'esbuild';
import * as path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '..');

export async function bundleBench(script: string): Promise<string> {
  const out = path.join(ROOT, 'dist/bench', `${path.basename(script, '.ts')}.mjs`);
  await esbuild.build({
    entryPoints: [path.join(ROOT, script)],
    outfile: out,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    sourcemap: true,
    // Langium and its dependencies are CommonJS: give the ES module a `require`.
    banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
    external: ['vscode', '@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu', 'esbuild'],
    logLevel: 'warning',
  });
  return out;
}

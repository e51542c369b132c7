/**
 * Prepares the GPU check of the PyTorch engine (bench/torch_gpu_check.py) on a machine with
 * Node: a folder that a GPU machine with only Python and a CUDA build of torch can run.
 *
 *   node --import tsx bench/torch-gpu-prepare.ts [DIR]     (default bench/gpu-kit, git-ignored)
 *
 * It holds the three reference networks of the PyTorch peer (reference-nets-nas.ts) and 24
 * architectures sampled from examples/nb201.nas (seed 1), each exported as `nas export --to
 * pytorch` writes it, and a data pack of shapes10 at 32x32 (10,240 training and 1,024
 * validation images, written by the host as for `nas train --engine torch`), with manifest.json,
 * and search.nas, the same search for `nas search --engine torch`. About 35 MB.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { URI } from 'langium';
import type { Definition, Document } from '../src/core/language/syntax/generated/ast.js';
import { NasWorkspace } from '../src/core/workspace.js';
import { elaborate } from '../src/core/semantics/evaluator/index.js';
import { SpaceSampler } from '../src/core/semantics/space.js';
import { exportPytorch } from '../src/core/export/pytorch/index.js';
import { writeDataPack } from '../src/core/torch/index.js';
import { createShapes10 } from '../src/core/train/data/synthetic.js';
import { computeChannelStats } from '../src/core/train/data/pipeline.js';
import { REFERENCE_NETS_SOURCE } from '../src/core/train/reference-nets-nas.js';
import { Rng } from '../src/core/util/random.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const dir = path.resolve(process.argv[2] ?? path.join(ROOT, 'bench', 'gpu-kit'));
const ARCHS = 24;

function definitions(doc: Document): Definition[] {
  return doc.elements.filter((e): e is Definition => e.$type === 'Definition');
}

async function main(): Promise<void> {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(path.join(dir, 'nets'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'archs'), { recursive: true });
  const ws = new NasWorkspace();
  const manifest: { nets: Record<string, { file: string; params: number }>; archs: { file: string; arch: string; params: number }[]; data: object } = {
    nets: {},
    archs: [],
    data: {},
  };
  const ref = await ws.addText(REFERENCE_NETS_SOURCE, URI.parse('builtin:/reference-nets.nas'));
  for (const def of definitions(ref.parseResult.value as Document)) {
    if (def.kind !== 'network') continue;
    const e = exportPytorch(elaborate(def), def, { source: 'reference-nets.nas' });
    const file = `nets/${def.name}.py`;
    fs.writeFileSync(path.join(dir, file), e.code);
    manifest.nets[def.name] = { file, params: e.params };
  }
  const nb201Path = path.join(ROOT, 'examples', 'nb201.nas');
  const nb201 = await ws.addText(fs.readFileSync(nb201Path, 'utf8'), URI.file(nb201Path));
  const space = definitions(nb201.parseResult.value as Document).find((d) => d.kind === 'space');
  if (!space) throw new Error('examples/nb201.nas has no space');
  const sampler = new SpaceSampler(space);
  const rng = new Rng(1);
  for (let i = 0; i < ARCHS; i++) {
    const s = sampler.sample(rng);
    const e = exportPytorch(s.result, space, { source: 'examples/nb201.nas', arch: s.encoding });
    const file = `archs/arch_${String(i).padStart(2, '0')}.py`;
    fs.writeFileSync(path.join(dir, file), e.code);
    manifest.archs.push({ file, arch: s.encoding, params: e.params });
  }
  const train = createShapes10({ length: 10_240, seed: 1, size: 32 });
  const val = createShapes10({ length: 1_024, seed: 2, size: 32 });
  manifest.data = writeDataPack(path.join(dir, 'shapes10-32.safetensors'), { train, val, stats: computeChannelStats(train) });
  (manifest.data as { path: string }).path = 'shapes10-32.safetensors';
  // The same kind of search through `nas search --engine torch` itself (bench/torch_gpu_check.py
  // runs it where node and dist/cli.cjs, dist/cli-train.cjs are present): GpuCheck as the Python
  // search above (one epoch of 10,240 shapes10 images at batch 256), CpuDryRun a tiny one.
  const spaceImport = path
    .relative(dir, path.join(ROOT, 'examples', 'nb201'))
    .split(path.sep)
    .join('/');
  fs.writeFileSync(
    path.join(dir, 'search.nas'),
    `import "${spaceImport}"\n\n` +
      `search GpuCheck {\n  space NB201\n  strategy random\n  maximize accuracy\n` +
      `  evaluator train(data = "shapes10", images = 10240, epochs = 1, batch = 256, test = false, engine = "torch", slots = 2)\n  budget 24\n}\n\n` +
      `search CpuDryRun {\n  space NB201\n  strategy random\n  maximize accuracy\n` +
      `  evaluator train(data = "shapes10", images = 256, epochs = 1, batch = 32, test = false, engine = "torch", slots = 1)\n  budget 2\n}\n`,
  );
  fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest, null, 1));
  console.log(
    `wrote ${path.relative(process.cwd(), dir)}: ${Object.keys(manifest.nets).length} reference nets, ${manifest.archs.length} NB201 architectures, shapes10 pack`,
  );
}

await main();

/**
 * The PyTorch export's sweep over the reference library, shared by the normal tier
 * (pytorch-export.test.ts: every network and the first samples of every space, one PyTorch
 * process) and the slow tier (pytorch-export.slow.test.ts: 200 samples of every space). Each
 * exported file's Model must have the cost model's parameter count and exactly the spec's
 * state_dict names with PyTorch's shapes (test/export/check_exports.py `counts`); networks and
 * the first two samples of each space also run a forward pass.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { elaborate } from '../../src/core/semantics/evaluator';
import { SpaceSampler } from '../../src/core/semantics/space';
import { Rng } from '../../src/core/util/random';
import { NasWorkspace } from '../../src/core/workspace';
import { exportPytorch } from '../../src/core/export/pytorch';
import type { Definition, Document } from '../../src/core/language/syntax/generated/ast';
import { yieldToEventLoop } from '../helpers/event-loop';

const ROOT = join(__dirname, '..', '..');
export const CHECK_EXPORTS = join(__dirname, 'check_exports.py');
export const PYTHON = '/usr/bin/python3';

/**
 * Every op kind of the reference library's networks and spaces (200 samples of each). The
 * normal tier's few samples must show each of them; the slow tier's full sweep must show no
 * other (a new op kind in an example means a longer list here, and a check that the normal
 * tier's samples still show it).
 */
export const EXAMPLE_OPS = [
  'add',
  'avgpool',
  'bn',
  'channel_shuffle',
  'concat',
  'conv',
  'dropout',
  'dwconv',
  'fc',
  'flatten',
  'gap',
  'identity',
  'input',
  'maxpool',
  'mul',
  'relu',
  'relu6',
  'sigmoid',
  'split',
  'swish',
  'upsample',
  'zero',
];

interface Report {
  file: string;
  params: number;
  missing: string[];
  unexpected: string[];
  shapes: string[];
  output?: number[];
}

/** A `check_exports.py counts` process: files go in as they are written, reports come out as lines. */
function countsChecker(): { send: (entry: object) => void; done: () => Promise<Report[]> } {
  const p = spawn(PYTHON, [CHECK_EXPORTS, 'counts']);
  let out = '';
  let err = '';
  p.stdout.on('data', (d: Buffer) => (out += d.toString()));
  p.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const closed = new Promise<number | null>((resolve) => p.on('close', resolve));
  return {
    send: (entry) => p.stdin.write(JSON.stringify(entry) + '\n'),
    async done() {
      p.stdin.end();
      const code = await closed;
      if (code !== 0) throw new Error(`check_exports.py counts exited ${code}: ${err}`);
      return out
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Report);
    },
  };
}

/** The networks and spaces of examples/*.nas. */
async function exampleDefinitions(): Promise<Definition[]> {
  const ws = new NasWorkspace();
  const defs: Definition[] = [];
  for (const f of readdirSync(join(ROOT, 'examples')).filter((f) => f.endsWith('.nas'))) {
    const root = (await ws.addFile(join(ROOT, 'examples', f))).parseResult.value as Document;
    for (const e of root.elements) if (e.$type === 'Definition' && (e.kind === 'network' || e.kind === 'space')) defs.push(e);
  }
  return defs;
}

export interface SweepResult {
  networks: number;
  spaces: number;
  /** Files checked by PyTorch. */
  checked: number;
  /** The op kinds of the checked files' nodes, sorted. */
  ops: string[];
  /** One line per disagreement with PyTorch (empty when all agree). */
  bad: string[];
}

/**
 * Exports every network of the reference library and the first `samples` architectures (seed 7)
 * of every space into `dir`, and has `processes` PyTorch processes check them while the next
 * ones are written.
 */
export async function sweepExports(dir: string, samples: number, processes: number): Promise<SweepResult> {
  const defs = await exampleDefinitions();
  mkdirSync(dir, { recursive: true });
  const checkers = Array.from({ length: processes }, countsChecker);
  const expected = new Map<string, { params: number; forward: boolean; outputs: number }>();
  const ops = new Set<string>();
  const add = (def: Definition, r: ReturnType<typeof elaborate>, k: number, forward: boolean): void => {
    const e = exportPytorch(r, def);
    const file = join(dir, `${def.name}_${k}.py`);
    writeFileSync(file, e.code);
    const names: Record<string, number[]> = {};
    for (const n of e.spec.nodes) {
      ops.add(n.op);
      for (const p of n.params) names[p.name] = [...p.torchShape];
    }
    const out = e.spec.nodes[e.spec.output]!.shape;
    expected.set(file, { params: r.graph.totals().params, forward, outputs: out[0] * out[1] * out[2] });
    checkers[expected.size % processes]!.send({ file, names, forward });
  };
  for (const def of defs) {
    if (def.kind === 'network') add(def, elaborate(def), 0, true);
    else {
      const sampler = new SpaceSampler(def);
      const rng = new Rng(7);
      for (let i = 0; i < samples; i++) {
        add(def, sampler.sample(rng).result, i, i < 2);
        if (i % 10 === 0) await yieldToEventLoop();
      }
    }
  }
  const reports = (await Promise.all(checkers.map((c) => c.done()))).flat();
  const bad: string[] = [];
  if (reports.length !== expected.size) bad.push(`${reports.length} reports from PyTorch for ${expected.size} files`);
  for (const r of reports) {
    const m = expected.get(r.file)!;
    const name = r.file.slice(dir.length + 1);
    if (r.params !== m.params) bad.push(`${name}: ${r.params} parameters in PyTorch, ${m.params} in the cost model`);
    if (r.missing.length || r.unexpected.length) bad.push(`${name}: state_dict names differ: missing ${r.missing}, unexpected ${r.unexpected}`);
    if (r.shapes.length) bad.push(`${name}: shapes differ: ${r.shapes}`);
    if (m.forward && JSON.stringify(r.output) !== JSON.stringify([1, m.outputs])) bad.push(`${name}: output ${JSON.stringify(r.output)}`);
  }
  return {
    networks: defs.filter((d) => d.kind === 'network').length,
    spaces: defs.filter((d) => d.kind === 'space').length,
    checked: reports.length,
    ops: [...ops].sort(),
    bad,
  };
}

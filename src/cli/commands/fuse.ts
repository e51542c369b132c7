/**
 * `nas fuse FILE [--network N] [--weights in.safetensors] --out deploy.nas
 * [--out-weights deploy.safetensors] [--out-onnx deploy.onnx] [--verify] [--json]`: writes the deployment form of a
 * network (src/core/reparam/source-fusion.ts) and prints params and MACs before and after;
 * with weights, fuses them into the deployment network's (src/core/reparam/fuse-weights.ts)
 * and, with --verify, runs both models on random inputs and compares each fused block and the
 * outputs (src/core/reparam/verify.ts); --out-onnx writes the deployment network with its
 * weights as ONNX (src/core/export/onnx/). Without --weights the weights and BN statistics are
 * random: a self-check of the fusion itself.
 *
 * Output paths are checked before any work; no input is ever overwritten, nor an existing
 * file without --force; files are written whole or not at all (a temporary file renamed), and
 * nothing is written when the check fails.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { URI } from 'langium';
import { Command, InvalidArgumentError } from 'commander';
import { displayPath, UsageError } from '../load.js';
import { checkRegularTarget, writeWhole } from '../write-whole.js';
import { DEPLOY_FORMS } from '../../core/reparam/source-fusion.js';
import { planFusion, type FusionPlan } from '../../core/reparam/fusion-plan.js';
import { ModelBuildError } from '../../core/train/model-builder/spec.js';
import type { FuseJson } from '../json-types.js';
import { PRODUCT_VERSION } from '../version.js';
import { formatFuseHuman } from './fuse-output.js';
import { deployName, loadFusion } from './fuse-load.js';

interface FuseOptions {
  network?: string;
  out: string;
  weights?: string;
  outWeights?: string;
  outOnnx?: string;
  verify?: boolean;
  tolerance: number;
  seed: number;
  images: number;
  force?: boolean;
  json?: boolean;
}

export const DEFAULT_TOLERANCE = 1e-4;

const positiveNumber = (flag: string) => (v: string) => {
  const n = Number(v);
  if (!(n > 0) || !Number.isFinite(n)) throw new InvalidArgumentError(`${flag} must be a positive number`);
  return n;
};
const integer = (flag: string, min: number) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`${flag} must be an integer ≥ ${min}`);
  return n;
};

export function register(program: Command): void {
  program
    .command('fuse')
    .description('write the deployment form of a network: RepVGG, ACNet, DBB and MobileOne blocks as their single convolutions, with their weights')
    .argument('<file>', '.nas file')
    .option('--network <name>', 'the network to fuse (default: the one that uses training-time blocks)')
    .requiredOption('--out <file>', 'the .nas file to write (never the input)')
    .option('--weights <file>', 'trained weights of the network (nas train --save); default: random weights and BN statistics')
    .option('--out-weights <file>', "the deployment network's weights to write (.safetensors)")
    .option('--out-onnx <file>', 'the deployment network with its fused weights as an ONNX model (opset 17, eval mode)')
    .option('--verify', 'run both forms in eval mode on random inputs; fail when a block or the network differs by more than --tolerance')
    .option('--tolerance <rel>', 'largest relative difference --verify accepts', positiveNumber('--tolerance'), DEFAULT_TOLERANCE)
    .option('--images <n>', 'random images --verify runs', integer('--images', 1), 2)
    .option('--seed <n>', 'seed of the random inputs (and of random weights)', integer('--seed', 0), 0)
    .option('--force', 'overwrite --out, --out-weights and --out-onnx if they exist')
    .option('--json', 'print JSON (docs/cli.md)')
    .action(async (file: string, opts: FuseOptions) => {
      const out = checkOutPath([file, opts.weights], opts.out, !!opts.force, '--out');
      const outWeights = opts.outWeights ? checkOutPath([file, opts.weights, opts.out], opts.outWeights, !!opts.force, '--out-weights') : undefined;
      const outOnnx = opts.outOnnx ? checkOutPath([file, opts.weights, opts.out, outWeights], opts.outOnnx, !!opts.force, '--out-onnx') : undefined;
      if (opts.weights) checkReadable(opts.weights, '--weights');
      const loaded = await loadFusion(file, opts.network, out);
      if (typeof loaded === 'number') {
        process.exitCode = loaded;
        return;
      }
      const { network, fused, before, after, deployDef } = loaded;
      const result: FuseJson = {
        name: network.name,
        out: displayPath(out),
        before: { params: before.graph.totals().params, macs: before.graph.totals().macs },
        after: { params: after.graph.totals().params, macs: after.graph.totals().macs },
        renamed: Object.entries(fused.renamed).map(([from, uses]) => ({ from, to: DEPLOY_FORMS[from]!, uses })),
        external: fused.external.map((e) => ({ definition: e.definition, file: displayPath(URI.parse(e.uri).fsPath) })),
      };
      for (const e of result.external) {
        process.stderr.write(`nas: warning: ${e.definition} (${e.file}) uses training-time blocks and is left as it is; fuse that file too\n`);
      }
      let onnx: Uint8Array | undefined;
      if (opts.weights || outWeights || outOnnx || opts.verify) {
        let plan: FusionPlan;
        try {
          plan = planFusion({ result: before, def: network }, { result: after, def: deployDef });
        } catch (e) {
          if (!(e instanceof ModelBuildError)) throw e;
          process.stderr.write(`nas: cannot build a model of ${network.name} to fuse its weights: ${e.message}\n`);
          process.exitCode = 1;
          return;
        }
        // The training engine (tfjs) loads only now: source fusion starts without it.
        const { runFuseWeights } = await import('./fuse-run.js');
        const w = await runFuseWeights(
          plan,
          {
            ...opts,
            outWeights,
            verify: !!opts.verify,
            ...(outOnnx ? { onnx: { producerVersion: PRODUCT_VERSION } } : {}),
            deployFile: displayPath(out),
            sourceFile: displayPath(file),
          },
          (line) => process.stderr.write(line + '\n'),
        );
        if (w.error) {
          process.stderr.write(`nas: ${w.error.message}\n`);
          process.exitCode = w.error.exitCode;
          return;
        }
        result.weights = opts.weights ? displayPath(opts.weights) : 'random';
        if (outWeights && !w.failed) result.outWeights = displayPath(outWeights);
        if (outOnnx && w.onnx) {
          onnx = w.onnx.bytes;
          result.outOnnx = { file: displayPath(outOnnx), nodes: w.onnx.nodes, bytes: w.onnx.bytes.length };
        }
        if (w.blocks && w.network) {
          result.blocks = w.blocks.map((b) => ({ name: b.name, deploy: b.deploy, maxAbsDiff: b.maxAbsDiff, maxRelDiff: b.maxRelDiff }));
          result.network = { maxAbsDiff: w.network.maxAbsDiff, maxRelDiff: w.network.maxRelDiff };
          result.verify = { images: opts.images, seed: opts.seed, tolerance: opts.tolerance, backend: w.backend, ok: !w.failed };
        }
        if (w.failed) {
          const d = w.failed === 'network' ? w.network! : w.blocks!.find((b) => b.name === w.failed)!;
          const what = w.failed === 'network' ? `the network's outputs` : `block ${w.failed}`;
          process.stderr.write(
            `nas: fusion check failed: ${what} differ${w.failed === 'network' ? '' : 's'} by ${d.maxRelDiff.toExponential(2)} relative (${d.maxAbsDiff.toExponential(2)} absolute), over the tolerance ${opts.tolerance}; nothing written\n`,
          );
          if (opts.json) process.stdout.write(JSON.stringify(result, null, 2) + '\n');
          process.exitCode = 1;
          return;
        }
      }
      writeWhole(out, fused.text);
      if (outOnnx && onnx) writeWhole(outOnnx, onnx);
      if (opts.json) process.stdout.write(JSON.stringify(result, null, 2) + '\n');
      else process.stdout.write(formatFuseHuman(result));
    });
}

function checkReadable(file: string, flag: string): void {
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch {
    throw new UsageError(`${flag} ${file}: no such file`);
  }
  if (!st.isFile()) throw new UsageError(`${flag} ${file} is not a file`);
}

function sameFile(a: string, b: string): boolean {
  try {
    return fs.realpathSync(a) === fs.realpathSync(b);
  } catch {
    return path.resolve(a) === path.resolve(b);
  }
}

/** Refuses, before any work, an output that is an input (or another output), a directory, an
 * existing file (without --force) or in a folder that cannot be written. */
function checkOutPath(inputs: ReadonlyArray<string | undefined>, out: string, force: boolean, flag: string): string {
  const target = path.resolve(out);
  for (const input of inputs) {
    if (input !== undefined && sameFile(input, target)) {
      const hint = input === inputs[0] ? ` (write the deployment form beside it, e.g. ${deployName(input)})` : '';
      throw new UsageError(`${flag} ${out} is ${input === inputs[0] ? 'the input file' : `also ${input}`}: refusing to overwrite it${hint}`);
    }
  }
  let existing: fs.Stats | undefined;
  try {
    existing = fs.statSync(target);
  } catch {
    existing = undefined;
  }
  if (existing) {
    checkRegularTarget(target, `${flag} ${out}`);
    if (!force) throw new UsageError(`${flag} ${out} exists: refusing to overwrite it (pass --force to replace it)`);
  }
  try {
    fs.accessSync(path.dirname(target), fs.constants.W_OK);
  } catch {
    throw new UsageError(`cannot write ${out}: ${path.dirname(out)} is not a writable folder`);
  }
  return target;
}

/**
 * `nas train FILE`: any network of a .nas file, an architecture of a space by its encoding,
 * the event stream, and every refusal before training (exit codes, messages, nothing left
 * behind).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Command } from 'commander';
import { register, EXIT_CANCELLED, type TrainCommandOptions } from '../../src/cli/commands/train';
import { runTrainCommand } from '../../src/cli/commands/train-run';
import { readSafetensorsFile } from '../../src/core/train/safetensors';
import { findPackagedDataset, PACKAGED_DATASETS, openTrainingData, parseDataSpec } from '../../src/core/train/data';
import { SpaceSampler } from '../../src/core/semantics/space';
import { Rng } from '../../src/core/util/random';
import { build } from '../helpers/nas';
import { makeTempDir, useTrainingBackend } from './helpers';

let tmp: { dir: string; cleanup: () => void };
beforeAll(async () => {
  await useTrainingBackend();
  tmp = makeTempDir('train-nas');
});
afterAll(() => tmp.cleanup());

async function parse(args: string[]): Promise<TrainCommandOptions> {
  const program = new Command().exitOverride();
  register(program);
  const train = program.commands.find((c) => c.name() === 'train')!;
  let captured: TrainCommandOptions | undefined;
  train.action((file: string | undefined, opts: TrainCommandOptions) => {
    captured = { ...opts, file };
  });
  await program.parseAsync(['train', ...args], { from: 'user' });
  return captured!;
}

function capture(signal?: AbortSignal) {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l), signal } };
}

const NET = `import "std/blocks"
network Tiny(classes: int = 10) {
  input(3, 16, 16)
  stem = conv(8, k=3, stride=2) -> bn -> relu
  MBConv(8, expand=2) -> SepConv(8)
  gap -> fc(classes)
}
network Big(classes: int = 10) {
  input(3, 256, 256)
  conv(64, k=3) -> bn -> relu -> conv(64, k=3) -> bn -> relu
  gap -> fc(classes)
}
`;
const SPACE = `import "std/blocks"
block Op(C: int) {
  choice(identity, ReLUConvBN(C, k=1), ReLUConvBN(C, k=3), zero)
}
space Small(C: int = 4) {
  input(3, 16, 16)
  x = conv(C, k=3) -> bn
  add(x -> Op(C), x -> Op(C))
  gap -> fc(10)
}
`;

function writeNas(name: string, text: string): string {
  const f = join(tmp.dir, name);
  writeFileSync(f, text);
  return f;
}

const quick = ['--epochs', '1', '--batch', '16', '--images', '80', '--no-augment'];

describe('nas train FILE', () => {
  it('trains the first network of the file, emits start/progress/epoch/saved/done, saves builder names and the model spec', async () => {
    const file = writeNas('tiny.nas', NET);
    const ckpt = join(tmp.dir, 'tiny.safetensors');
    const c = capture();
    const code = await runTrainCommand(await parse([file, ...quick, '--epochs', '2', '--json', '--save', ckpt]), c.io);
    expect(code, c.err.join('\n')).toBe(0);
    const events = c.out.map((l) => JSON.parse(l) as { event: string } & Record<string, unknown>);
    const types = events.map((e) => e.event);
    expect(types[0]).toBe('start');
    expect(types.at(-1)).toBe('done');
    expect(types.filter((t) => t === 'epoch')).toHaveLength(2);
    expect(types).toContain('progress');
    expect(events[0]).toMatchObject({ model: 'Tiny', file, input: [3, 16, 16], classes: 10, epochs: 2, batch: 16 });
    expect(events[0]!.params).toBeGreaterThan(0);
    const saved = readSafetensorsFile(ckpt);
    expect([...saved.tensors.keys()]).toEqual(expect.arrayContaining(['stem.conv.weight', 'MBConv.d.dwconv.weight', 'SepConv.bn_1.running_var', 'fc.bias']));
    expect(saved.metadata.network).toBe('Tiny');
    expect(JSON.parse(saved.metadata.model_spec!).nodes.length).toBeGreaterThan(5);
    expect(readdirSync(tmp.dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });

  it('trains an architecture of a space given by its encoding; refuses a space without --arch and a bad encoding', async () => {
    const file = writeNas('space.nas', SPACE);
    const b = await build(SPACE);
    const arch = new SpaceSampler(b.def('Small')).sample(new Rng(2)).encoding;
    const c = capture();
    expect(await runTrainCommand(await parse([file, '--arch', arch, ...quick, '--json']), c.io), c.err.join('\n')).toBe(0);
    expect(JSON.parse(c.out[0]!)).toMatchObject({ event: 'start', model: 'Small', arch });
    const c2 = capture();
    expect(await runTrainCommand(await parse([file, ...quick]), c2.io)).toBe(2);
    expect(c2.err.at(-1)).toMatch(/has no network, only the space Small: choose an architecture with --arch ENCODING/);
    const c3 = capture();
    const bad = arch.replace(/=\d+$/, '=9');
    expect(await runTrainCommand(await parse([file, '--arch', bad, ...quick, '--json']), c3.io)).toBe(1);
    expect(c3.err.join('\n')).toMatch(/option out of range: .*=9 \(it has 4 options\)/);
    expect(JSON.parse(c3.out.at(-1)!)).toMatchObject({ event: 'error', exitCode: 1 });
    const c4 = capture();
    expect(await runTrainCommand(await parse([file, '--arch', 'nonsense', ...quick]), c4.io)).toBe(2);
  });

  it('checks the output path before anything else: a folder, a missing folder, a non-regular file; nothing left behind', async () => {
    const file = writeNas('out.nas', NET);
    const dir = join(tmp.dir, 'outdir');
    mkdirSync(dir);
    const fifo = join(tmp.dir, 'a.fifo');
    execFileSync('mkfifo', [fifo]);
    const cases: Array<[string, RegExp]> = [
      [dir, /is a folder; give a file name/],
      [dir + '/', /names a folder/],
      [join(tmp.dir, 'missing', 'w.safetensors'), /does not exist/],
      [fifo, /exists and is not a regular file/],
    ];
    for (const [target, msg] of cases) {
      const before = readdirSync(tmp.dir).sort();
      const c = capture();
      expect(await runTrainCommand(await parse([file, ...quick, '--save', target]), c.io), target).toBe(2);
      expect(c.err.at(-1)).toMatch(msg);
      expect(c.err.join('\n')).not.toMatch(/^data: /m); // refused before opening data
      expect(readdirSync(tmp.dir).sort()).toEqual(before);
      expect(readdirSync(dir)).toEqual([]);
    }
  });

  it('refuses, before training, a network that does not fit the data and a batch over the wasm memory limit', async () => {
    const file = writeNas('fit.nas', NET);
    const c = capture();
    expect(await runTrainCommand(await parse([file, '--network', 'Tiny', '--data', 'shapes10', '--images', '40', '--batch', '8']), c.io)).toBe(0);
    const c2 = capture();
    const spaceFile = writeNas('grey.nas', 'network Grey {\n  input(1, 16, 16)\n  conv(4, k=3) -> bn -> relu\n  gap -> fc(10)\n}\n');
    expect(await runTrainCommand(await parse([spaceFile, '--images', '40']), c2.io)).toBe(2);
    expect(c2.err.at(-1)).toMatch(/Grey takes 1x16x16 images \(input\(1, 16, 16\)\), the data \(.*\) has 3x16x16/);
    const c3 = capture();
    // The product's backend here is wasm (the native ones are not installed): its 4 GiB limit applies.
    expect((await import('../../src/core/train/backend')).currentBackend()!.tfBackend).toBe('wasm');
    const code = await runTrainCommand(await parse([file, '--network', 'Big', '--batch', '8192', '--images', '40']), c3.io);
    expect(code).toBe(2);
    expect(c3.err.at(-1)).toMatch(
      /^nas train: training Big at batch 8192 needs about [\d.]+ GiB, more than the wasm backend's 4\.00 GiB .*the largest batch that fits is (\d+) \(--batch \1\)$/,
    );
  });

  it('reports .nas errors with positions (exit 1) and unknown networks (exit 2)', async () => {
    const file = writeNas('broken.nas', 'network N {\n  input(3, 8, 8)\n  conv(4, k=3, stride=0)\n  gap -> fc(10)\n}\n');
    const c = capture();
    expect(await runTrainCommand(await parse([file, ...quick]), c.io)).toBe(1);
    expect(c.err.join('\n')).toMatch(/broken\.nas:3:\d+: error /);
    const c2 = capture();
    expect(await runTrainCommand(await parse([writeNas('t2.nas', NET), '--network', 'Nope', ...quick]), c2.io)).toBe(2);
    expect(c2.err.at(-1)).toMatch(/no network or space named Nope \(the file has: Tiny, Big\)/);
  });

  it('on cancellation emits `cancelled`, exits 130 and writes nothing partial', async () => {
    const file = writeNas('cancel.nas', NET);
    const ckpt = join(tmp.dir, 'cancel.safetensors');
    const ctrl = new AbortController();
    const c = capture(ctrl.signal);
    const io = { ...c.io, out: (l: string) => (c.out.push(l), JSON.parse(l).event === 'progress' && ctrl.abort()) };
    expect(await runTrainCommand(await parse([file, ...quick, '--epochs', '3', '--json', '--save', ckpt]), io)).toBe(EXIT_CANCELLED);
    expect(JSON.parse(c.out.at(-1)!)).toEqual({ event: 'cancelled', completedEpochs: 0 });
    expect(existsSync(ckpt)).toBe(false);
    expect(readdirSync(tmp.dir).filter((f) => f.startsWith('cancel.safetensors'))).toEqual([]);
  });
});

describe('--data fashion-mnist', () => {
  it('finds the Debian package by name, or names the package to install', () => {
    const fm = PACKAGED_DATASETS.find((d) => d.name === 'fashion-mnist')!;
    expect(() => findPackagedDataset(fm, [join(tmp.dir, 'nowhere')])).toThrow(/fashion-mnist is not installed: apt-get install dataset-fashion-mnist/);
    // The machine image installs the package (the brief of this project says so): the real files.
    const spec = parseDataSpec('fashion-mnist');
    expect(spec).toEqual({ kind: 'mnist', dir: '/usr/share/datasets/fashion-mnist' });
    const data = openTrainingData(spec, { seed: 0, useTestSplit: true });
    expect([data.train.length, data.val.length, data.train.width, data.train.height, data.train.channels, data.train.numClasses]).toEqual([
      60000, 10000, 28, 28, 1, 10,
    ]);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { Command } from 'commander';
import { register, EXIT_CANCELLED, type TrainCommandOptions } from '../../src/cli/commands/train';
import { runTrainCommand } from '../../src/cli/commands/train-run';
import { readSafetensorsFile } from '../../src/core/train/safetensors';
import { makeTempDir, useTrainingBackend } from './helpers';

let tmp: { dir: string; cleanup: () => void };
beforeAll(async () => {
  await useTrainingBackend();
  tmp = makeTempDir('cli');
});
afterAll(() => tmp.cleanup());

/** The options commander produces for `nas train` plus overrides, parsed for real. */
async function parseOptions(args: string[]): Promise<TrainCommandOptions> {
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

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) } };
}

describe('nas train', () => {
  it('parses its flags with defaults, and rejects bad values', async () => {
    const d = await parseOptions([]);
    expect(d).toMatchObject({ data: 'shapes10', epochs: 5, batch: 64, lr: 0.1, momentum: 0.9, weightDecay: 5e-4, seed: 0, augment: true });
    expect(d.widths).toBeUndefined();
    expect(d.file).toBeUndefined();
    const o = await parseOptions([
      '--epochs',
      '2',
      '--batch',
      '16',
      '--lr',
      '0.05',
      '--seed',
      '7',
      '--save',
      'w.safetensors',
      '--json',
      '--no-augment',
      '--widths',
      '4,8',
      '--data',
      'mnist:/x',
    ]);
    expect(o).toMatchObject({ epochs: 2, batch: 16, lr: 0.05, seed: 7, save: 'w.safetensors', json: true, augment: false, widths: [4, 8], data: 'mnist:/x' });
    await expect(parseOptions(['--epochs', '0'])).rejects.toThrow(/--epochs must be an integer/);
    // Seeds wrapped modulo 2^32 and `Number()` read "" as 0, 1e300 as an integer, 0x10 as 16.
    for (const seed of ['4294967296', '1e300', '', '0x10', '-1', '1.5']) {
      await expect(parseOptions(['--seed', seed]), seed).rejects.toThrow(/--seed must be an integer from 0 to 4,294,967,295/);
    }
    expect((await parseOptions(['--seed', '4294967295'])).seed).toBe(4294967295);
    // A billion shapes10 images exhausted the heap (an index per image) instead of a usage error.
    await expect(parseOptions(['--images', '1000000000'])).rejects.toThrow(/--images must be an integer from 20 to 1,000,000/);
    await expect(parseOptions(['--epochs', '1e300'])).rejects.toThrow(/--epochs must be an integer/);
    await expect(parseOptions(['--momentum', ''])).rejects.toThrow(/--momentum must be a number/);
    await expect(parseOptions(['--lr', '0x10'])).rejects.toThrow(/--lr must be a number/);
    expect((await parseOptions(['--lr', '1e-3', '--momentum', '.5'])).lr).toBe(1e-3);
    await expect(parseOptions(['--backend', 'tpu'])).rejects.toThrow(/Allowed choices/);
  });

  it('trains on shapes10, prints NDJSON events (one epoch event per epoch) and saves the checkpoint', async () => {
    const file = join(tmp.dir, 'w.safetensors');
    const opts = await parseOptions(['--epochs', '2', '--batch', '16', '--images', '120', '--widths', '4,8', '--json', '--save', file, '--seed', '3']);
    const c = capture();
    const code = await runTrainCommand(opts, c.io);
    expect(code).toBe(0);
    const events = c.out.map((l) => JSON.parse(l) as Record<string, number | string>);
    expect(events[0]!.event).toBe('start');
    expect(events.at(-1)!.event).toBe('done');
    expect(events.filter((e) => e.event === 'saved').map((e) => e.epoch)).toEqual([1, 2]);
    const lines = events.filter((e) => e.event === 'epoch');
    expect(lines.map((l) => l.epoch)).toEqual([1, 2]);
    for (const l of lines) for (const k of ['trainLoss', 'trainAcc', 'valLoss', 'valAcc', 'lr', 'imagesPerSecond']) expect(typeof l[k]).toBe('number');
    expect(c.err.join('\n')).toMatch(/model: tiny-cnn\(4,8\), \d+ parameters; backend (wasm|cpu|node|node-gpu)/);
    const ckpt = readSafetensorsFile(file);
    expect(ckpt.metadata.epoch).toBe('2');
    expect(Number(ckpt.metadata.val_acc)).toBe(lines[1].valAcc);
    expect(ckpt.tensors.get('conv1.weight')!.shape).toEqual([3, 3, 3, 4]);
  });

  it('on cancellation keeps the checkpoint of the last completed epoch and exits 130', async () => {
    const file = join(tmp.dir, 'cancel.safetensors');
    const opts = await parseOptions(['--epochs', '5', '--batch', '16', '--images', '120', '--widths', '4,8', '--save', file]);
    const ctrl = new AbortController();
    const c = capture();
    // Cancel as SIGINT would, once the first epoch's line has been printed (mid epoch 2).
    const io = { ...c.io, out: (l: string) => (c.out.push(l), setImmediate(() => ctrl.abort())), signal: ctrl.signal };
    const code = await runTrainCommand(opts, io);
    expect(code).toBe(EXIT_CANCELLED);
    expect(c.out.length).toBe(1);
    expect(c.out[0]).toMatch(/^epoch 1\/5 {2}train loss/);
    expect(c.err.at(-1)).toMatch(/cancelled after 1 completed epoch\(s\); .*cancel\.safetensors holds epoch 1/);
    expect(readSafetensorsFile(file).metadata.epoch).toBe('1');
  });

  it('reports bad data before training, with exit codes 2 (missing) and 1 (invalid)', async () => {
    const c = capture();
    const missing = await runTrainCommand(await parseOptions(['--data', `cifar10:${join(tmp.dir, 'none')}`]), c.io);
    expect(missing).toBe(2);
    expect(c.err.at(-1)).toMatch(/nas train: .*none: cifar10 directory not found/);
    expect(await runTrainCommand(await parseOptions(['--data', 'imagenet:/x']), c.io)).toBe(2);
    expect(c.err.at(-1)).toMatch(/unknown dataset/);
    expect(await runTrainCommand(await parseOptions(['--load', join(tmp.dir, 'absent.safetensors'), '--images', '40']), c.io)).toBe(2);
    expect(c.err.at(-1)).toMatch(/cannot load/);
  });
});

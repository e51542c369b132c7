import { describe, expect, it } from 'vitest';
import { Command } from 'commander';
import { register } from '../../src/cli/commands/bench';
import { runBenchTrain } from '../../src/cli/commands/bench-run';

function capture() {
  const out: string[] = [],
    err: string[] = [];
  return { io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) }, out, err };
}

describe('nas bench train', () => {
  it("prints the PyTorch peer's JSON fields for a reference net", async () => {
    const c = capture();
    const code = await runBenchTrain({ net: 'small', batch: 4, threads: 1, steps: 1, backend: 'wasm', json: true }, c.io);
    expect(code).toBe(0);
    const r = JSON.parse(c.out[0]);
    expect(Object.keys(r)).toEqual(expect.arrayContaining(['engine', 'backend', 'net', 'params', 'images_per_s']));
    expect(r).toMatchObject({ backend: 'wasm', net: 'small', params: 14746, batch: 4, threads: 1 });
    expect(Object.keys(r).sort()).toEqual(['backend', 'batch', 'engine', 'images_per_s', 'net', 'params', 'threads']);
    expect(r.engine).toMatch(/^tfjs-/);
    expect(r.images_per_s).toBeGreaterThan(0);
  });

  it('exits 2 with a one-line reason for an unavailable forced backend or an unknown net', async () => {
    let native = false;
    try {
      await import(/* @vite-ignore */ ['@tensorflow', 'tfjs-node'].join('/'));
      native = true;
    } catch {
      native = false;
    }
    if (!native) {
      const c = capture();
      expect(await runBenchTrain({ net: 'small', batch: 2, threads: 1, steps: 1, backend: 'node' }, c.io)).toBe(2);
      expect(c.err.join('\n')).toMatch(/^nas bench train: backend 'node' is not available: /);
    }
    const c2 = capture();
    expect(await runBenchTrain({ net: 'resnet', batch: 2, threads: 1, steps: 1 }, c2.io)).toBe(2);
    expect(c2.err[0]).toContain("unknown --net 'resnet'");
  });

  it('registers `bench train` with the documented options', () => {
    const program = new Command();
    register(program);
    const train = program.commands.find((c) => c.name() === 'bench')!.commands.find((c) => c.name() === 'train')!;
    expect(train.options.map((o) => o.long)).toEqual(expect.arrayContaining(['--net', '--batch', '--threads', '--backend', '--json', '--steps']));
  });
});

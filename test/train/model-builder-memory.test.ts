/**
 * The training-memory estimate: above what a step really takes on a fresh wasm heap (and not
 * wildly above), and the refusal message with the largest batch that fits.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { referenceNetSpecs } from '../../src/core/train/reference-nets-nas';
import { WASM_TRAINING_BUDGET, checkTrainingMemory, estimateTrainingMemory, largestBatchUnder } from '../../src/core/train/model-builder';

const ROOT = join(__dirname, '..', '..');

describe('training memory estimate', () => {
  it.each([
    ['mbconv', 48],
    ['nb201', 24],
  ] as const)('%s at batch %i: the estimate bounds the wasm heap after two steps, within 1.5x', (net, batch) => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(__dirname, 'fixtures', 'heap-after-step.ts'), net, String(batch)], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(r.status, r.stderr.slice(-2000)).toBe(0);
    const { heap, estimate } = JSON.parse(r.stdout.trim().split('\n').pop()!) as { heap: number; estimate: number };
    expect(estimate).toBeGreaterThanOrEqual(heap);
    expect(estimate).toBeLessThan(1.5 * heap);
  });

  it('refuses a batch over the wasm limit, naming the largest that fits; other backends have no such limit', async () => {
    const spec = (await referenceNetSpecs()).get('nb201')!;
    expect(checkTrainingMemory(spec, 64, 'wasm')).toBeUndefined();
    const msg = checkTrainingMemory(spec, 1024, 'wasm')!;
    expect(msg).toMatch(
      /^training nb201 at batch 1024 needs about \d+\.\d\d GiB, more than the wasm backend's 4\.00 GiB .*; the largest batch that fits is (\d+) \(--batch \1\)$/,
    );
    const fits = Number(/fits is (\d+)/.exec(msg)![1]);
    expect(estimateTrainingMemory(spec, fits).totalBytes).toBeLessThanOrEqual(WASM_TRAINING_BUDGET);
    expect(estimateTrainingMemory(spec, fits + 1).totalBytes).toBeGreaterThan(WASM_TRAINING_BUDGET);
    expect(checkTrainingMemory(spec, 1024, 'node')).toBeUndefined();
    expect(largestBatchUnder(estimateTrainingMemory(spec, 1), 1)).toBe(0);
  });
});

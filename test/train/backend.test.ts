import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { BackendUnavailableError, selectBackend } from '../../src/core/train/backend';

describe('backend ladder', () => {
  it('falls through the rungs that cannot load here and says why, once', async () => {
    const lines: string[] = [];
    const sel = await selectBackend({ log: (l) => lines.push(l) });
    expect(['node-gpu', 'node', 'wasm', 'cpu']).toContain(sel.backend);
    expect(tf.getBackend()).toBe(sel.tfBackend);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`training backend: ${sel.backend}`);
    const skipped = sel.rungs.filter((r) => !r.ok);
    for (const r of skipped) {
      expect(lines[0]).toContain(`${r.backend}: ${r.reason}`);
      expect(r.reason.length).toBeGreaterThan(0);
    }
    // The rungs are tried in ladder order and stop at the first that works.
    expect(sel.rungs.map((r) => r.backend)).toEqual(['node-gpu', 'node', 'wasm', 'cpu'].slice(0, sel.rungs.length));
    expect(sel.rungs[sel.rungs.length - 1].ok).toBe(true);
    // A second call reuses the selection without logging again.
    await selectBackend({ log: (l) => lines.push(l) });
    expect(lines).toHaveLength(1);
  });

  it('forces one backend and reports it as forced', async () => {
    const lines: string[] = [];
    const sel = await selectBackend({ force: 'cpu', log: (l) => lines.push(l) });
    expect(sel.backend).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    expect(lines[0]).toBe('training backend: cpu (forced)');
  });

  it('rejects an unavailable forced backend with a clear error, not a stack of require calls', async () => {
    let native = false;
    try {
      await import(/* @vite-ignore */ ['@tensorflow', 'tfjs-node'].join('/'));
      native = true;
    } catch {
      native = false;
    }
    if (native) {
      // On a machine where the native binding installed, forcing it must succeed instead.
      await expect(selectBackend({ force: 'node', log: () => {} })).resolves.toMatchObject({ backend: 'node' });
      return;
    }
    const err = await selectBackend({ force: 'node', log: () => {} }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BackendUnavailableError);
    expect((err as Error).message).toMatch(/^backend 'node' is not available: /);
    expect((err as Error).message).not.toContain('\n');
  });
});

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

/**
 * The GPU rung on machines this test does not run on, played with stand-in probes: an NVIDIA
 * driver is loaded and "@tensorflow/tfjs-node-gpu" imports, registering a 'tensorflow'
 * backend (here tfjs-backend-cpu's class) that says, as tfjs-node's does, whether TensorFlow
 * placed it on a GPU device.
 */
describe('backend ladder: the GPU rung believes TensorFlow, not the driver', () => {
  async function ladder(onGpu: boolean, force?: 'node-gpu') {
    const { MathBackendCPU } = await import('@tensorflow/tfjs-backend-cpu');
    const loaded: string[] = [];
    const lines: string[] = [];
    const probes = {
      cudaDriverLoaded: () => true,
      async loadPackage(name: string) {
        loaded.push(name);
        if (name !== '@tensorflow/tfjs-node-gpu') throw new Error(`Cannot find module '${name}'`);
        tf.registerBackend('tensorflow', () => Object.assign(new MathBackendCPU(), { isGPUPackage: true, isUsingGpuDevice: onGpu }));
      },
    };
    try {
      return { sel: await selectBackend({ probes, force, log: (l) => lines.push(l) }), loaded, lines, error: undefined };
    } catch (e) {
      return { sel: undefined, loaded, lines, error: e as Error };
    } finally {
      if (tf.findBackend('tensorflow')) tf.removeBackend('tensorflow');
      await selectBackend({ force: 'wasm', log: () => undefined });
    }
  }

  it('without a GPU device (CUDA 12 under a CUDA 11.2 build) it says so and moves on', async () => {
    const r = await ladder(false);
    expect(r.sel!.backend).not.toBe('node-gpu');
    const gpu = r.sel!.rungs[0]!;
    expect(gpu).toMatchObject({ backend: 'node-gpu', ok: false });
    expect(gpu.reason).toBe(
      'the package loaded but TensorFlow found no GPU device, so it would run on the CPU (libtensorflow 2.9.1 of @tensorflow/tfjs-node-gpu needs CUDA 11.2 and cuDNN 8.1; for CUDA 12 GPUs use the PyTorch engine)',
    );
    expect(r.lines[0]).toContain(`node-gpu: ${gpu.reason}`);
    expect(r.loaded).toContain('@tensorflow/tfjs-node-gpu');
  });

  it('forced, without a GPU device, it refuses with the reason', async () => {
    const r = await ladder(false, 'node-gpu');
    expect(r.error).toBeInstanceOf(BackendUnavailableError);
    expect(r.error!.message).toMatch(/^backend 'node-gpu' is not available: the package loaded but TensorFlow found no GPU device/);
  });

  it('with a GPU device it takes the rung and says TensorFlow runs on it', async () => {
    const r = await ladder(true);
    expect(r.sel!.backend).toBe('node-gpu');
    expect(r.lines[0]).toBe('training backend: node-gpu (TensorFlow on a GPU device)');
  });
});

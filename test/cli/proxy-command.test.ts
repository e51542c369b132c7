/**
 * `nas proxy` as users and scripts run it: the bundled CLI in a child process (asynchronous, so
 * that vitest's worker stays responsive), its NDJSON events (src/protocol/proxy-events.ts), its
 * words and exit codes. The proxy values themselves are checked against PyTorch in
 * test/train/proxies.test.ts.
 */
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ProxyArchitectureEvent, ProxyEvent, ProxySummaryEvent } from '../../src/protocol/proxy-events.js';
import { kendallTau, ranks, spearman } from '../../src/core/util/rank-correlation.js';

const ROOT = path.resolve(__dirname, '../..');
const BIN = path.join(ROOT, 'bin/nas.cjs');

function nas(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 600_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

function parse(stdout: string): ProxyEvent[] {
  return stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as ProxyEvent);
}

describe('nas proxy', () => {
  it('NAS-Bench-201 with two proxies: one line per distinct cell with both scores and the benchmark columns, their combination, the correlations', async () => {
    const r = await nas(['proxy', 'examples/nb201_search.nas', '--proxy', 'synflow,naswot', '--sample', '5', '--batch', '8', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const events = parse(r.stdout);
    const lines = events.filter((e): e is ProxyArchitectureEvent => e.event === 'architecture');
    const summary = events[events.length - 1] as ProxySummaryEvent;
    expect(lines.map((l) => l.index)).toEqual([1, 2, 3, 4, 5]);
    expect(new Set(lines.map((l) => l.encoding)).size).toBe(5);
    for (const l of lines) {
      expect(l.arch).toMatch(/^\|[a-z_0-9~]+\|\+\|[a-z_0-9~|]+\|\+\|[a-z_0-9~|]+\|$/);
      expect(l.error).toBeUndefined();
      expect(Object.keys(l.scores).sort()).toEqual(['naswot', 'synflow']);
      expect(l.macs).toBeGreaterThan(0);
      // NAS-Bench-201 CIFAR-10 accuracies lie between 10 % (chance) and 95 %.
      for (const c of ['acc12', 'acc200']) expect(l.benchmark![c]).toBeGreaterThan(9);
      for (const c of ['acc12', 'acc200']) expect(l.benchmark![c]).toBeLessThan(95);
    }
    // The combination: the mean of each proxy's rank quantile in the sample.
    const quantile = (key: 'synflow' | 'naswot') => ranks(lines.map((l) => l.scores[key] ?? -Infinity)).map((x) => (x - 1) / 4);
    const [qs, qn] = [quantile('synflow'), quantile('naswot')];
    lines.forEach((l, i) => expect(l.score).toBeCloseTo((qs[i]! + qn[i]!) / 2, 12));
    expect(summary).toMatchObject({ event: 'summary', space: 'NB201', proxies: ['synflow', 'naswot'], sample: 5, seed: 0 });
    expect(summary.cancelled).toBeUndefined();
    const acc200 = lines.map((l) => l.benchmark!['acc200']!);
    const synflow = lines.map((l) => l.scores['synflow']!);
    expect(summary.correlations!['synflow']!['acc200']!.spearman).toBeCloseTo(spearman(synflow, acc200), 4);
    expect(summary.correlations!['synflow']!['acc200']!.kendall).toBeCloseTo(kendallTau(synflow, acc200), 4);
    expect(Object.keys(summary.correlations!).sort()).toEqual(['combined', 'naswot', 'synflow']);
  });

  it('a space without a benchmark, in words: a line per architecture and the count, no correlations', async () => {
    const r = await nas(['proxy', 'examples/fashion_search.nas', '--space', 'FashionLayers', '--sample', '3', '--seed', '2']);
    expect(r.code, r.stderr).toBe(0);
    const out = r.stdout.trimEnd().split('\n');
    expect(out).toHaveLength(4);
    for (const l of out.slice(0, 3))
      expect(l).toMatch(/^ {3}\d {2}score \d+\.\d{3}(e[+-]\d+)? {2}out: \d+, k: [35]; out: \d+, k: [35], stride: [12]; out: \d+, k: [13], stride: [12]$/);
    expect(out[3]).toMatch(/^3 architectures of FashionLayers scored with synflow in \d+\.\d s \(seed 2\)$/);
    expect(r.stdout).not.toMatch(/Spearman/);
  });

  it('bad input: a message and exit code 2, no stack trace', async () => {
    const unknown = await nas(['proxy', 'examples/nb201_search.nas', '--proxy', 'jacov']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/--proxy: unknown proxy 'jacov' \(proxies: synflow, naswot, grad_norm, snip\)/);
    const both = await nas(['proxy', 'examples/nb201_search.nas', '--search', 'NB201Random', '--space', 'NB201']);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/--search and --space both choose the space: give one/);
    // Raised in the training bundle, where the command's work runs.
    const missing = await nas(['proxy', 'examples/nb201_search.nas', '--search', 'NoSuch']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/nas proxy: no search named NoSuch in examples\/nb201_search.nas/);
    for (const r of [unknown, both, missing]) expect(r.stderr).not.toMatch(/\n +at |internal error/);
  });
});

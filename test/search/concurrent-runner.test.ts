/**
 * Several evaluations at once (an evaluator with `concurrency`, as the PyTorch engine's worker
 * slots): where the strategy's asks do not depend on pending results (random search asked
 * ahead, NSGA-II's generations, an evolution's initial population), the run's trials equal a
 * run one at a time, trial by trial, although results arrive out of order; the steps of an
 * adaptive strategy that depend on results stay one at a time;
 * a cancel records only the trials before the first one in flight, and the resumed run ends
 * as the uninterrupted one. The evaluator is `fake` behind a wrapper whose delays come from
 * the encoding's hash, so completion order differs from asking order (bounded by counts, not time).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { PreparedSearch } from '../../src/core/search/prepare.js';
import { runSearch } from '../../src/core/search/runner.js';
import { RunStore, RUN_FORMAT } from '../../src/core/search/store.js';
import type { Candidate, EvaluateOptions, Evaluation, Evaluator } from '../../src/core/search/types.js';
import type { TrialRecord } from '../../src/protocol/search-events.js';
import { buildInExamples, prepare, searchSpec } from './helpers.js';

/** The fake evaluator, `slots` evaluations at once, each finishing after 0-3 turns of the event loop. */
class Slotted implements Evaluator {
  readonly name: string;
  readonly metrics: readonly string[];
  inFlight = 0;
  maxInFlight = 0;
  started = 0;
  constructor(
    private readonly inner: Evaluator,
    readonly concurrency: number,
    private readonly onStart: (n: number) => void = () => undefined,
  ) {
    this.name = inner.name;
    this.metrics = inner.metrics;
  }
  async evaluate(c: Candidate, o: EvaluateOptions): Promise<Evaluation> {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    this.onStart(++this.started);
    try {
      const turns = parseInt(c.id.slice(0, 2), 16) % 4;
      for (let i = 0; i < turns * 3; i++) await new Promise((r) => setImmediate(r));
      if (o.signal.aborted) throw new Error('cancelled');
      return await this.inner.evaluate(c, o);
    } finally {
      this.inFlight--;
    }
  }
}

async function prepared(block: string): Promise<PreparedSearch> {
  const b = await buildInExamples(`import "nb201"\nsearch S {\n  space NB201\n${block}\n}\n`, `concurrent-${Math.random().toString(36).slice(2)}.nas`);
  return prepare(searchSpec(b, 'S'));
}

async function trials(p: PreparedSearch, evaluator: Evaluator, seed: number, store?: RunStore, signal?: AbortSignal): Promise<TrialRecord[]> {
  const out: TrialRecord[] = [];
  await runSearch({
    prepared: { ...p, evaluator },
    seed,
    budget: p.spec.budget,
    progress: true,
    store,
    signal,
    onEvent: (e) => {
      if (e.event === 'trial') out.push(e);
    },
  });
  return out;
}

/** What a trial is, without its wall time. */
const key = (t: TrialRecord) => ({ trial: t.trial, encoding: t.encoding, status: t.status, metrics: t.metrics, error: t.error });

describe('several evaluations at once', () => {
  it('random search asked ahead: the same trials as one at a time, three in flight', async () => {
    const p = await prepared('  strategy random\n  maximize accuracy\n  evaluator fake(fail = 0.1)\n  budget 40');
    const one = await trials(p, new Slotted(p.evaluator, 1), 7);
    const three = new Slotted(p.evaluator, 3);
    const many = await trials(p, three, 7);
    expect(many.map(key)).toEqual(one.map(key));
    expect(many.map((t) => t.trial)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    expect(one.some((t) => t.status === 'error')).toBe(true);
    expect(three.maxInFlight).toBe(3);
  });

  it("NSGA-II's generations are evaluated together with the same trials; evolution's and Bayesian optimisation's initial random architectures too, then one at a time", async () => {
    const nsga = await prepared('  strategy nsga2(population = 8)\n  maximize accuracy\n  minimize macs\n  evaluator fake\n  budget 24');
    const four = new Slotted(nsga.evaluator, 4);
    expect((await trials(nsga, four, 3)).map(key)).toEqual((await trials(nsga, new Slotted(nsga.evaluator, 1), 3)).map(key));
    expect(four.maxInFlight).toBe(4);
    const evo = await prepared('  strategy regularized_evolution(population = 5, sample = 2)\n  maximize accuracy\n  evaluator fake\n  budget 15');
    const inFlightAt: number[] = [];
    const slotted: Slotted = new Slotted(evo.evaluator, 4, () => inFlightAt.push(slotted.inFlight));
    expect((await trials(evo, slotted, 3)).map(key)).toEqual((await trials(evo, new Slotted(evo.evaluator, 1), 3)).map(key));
    // Evaluations 1-4 together, then the fifth of the population; the mutations wait for their results.
    expect(inFlightAt.slice(0, 5)).toEqual([1, 2, 3, 4, 1]);
    expect(new Set(inFlightAt.slice(5))).toEqual(new Set([1]));
    const bo = await prepared('  strategy bayesian(initial = 5, candidates = 20)\n  maximize accuracy\n  evaluator fake\n  budget 9');
    const boAt: number[] = [];
    const boSlotted: Slotted = new Slotted(bo.evaluator, 4, () => boAt.push(boSlotted.inFlight));
    expect((await trials(bo, boSlotted, 3)).map(key)).toEqual((await trials(bo, new Slotted(bo.evaluator, 1), 3)).map(key));
    expect(boAt).toEqual([1, 2, 3, 4, 1, 1, 1, 1, 1]);
  });

  it('a cancel with trials in flight records those before the first unfinished one; the resumed run equals the uninterrupted one', async () => {
    const p = await prepared('  strategy random\n  maximize accuracy\n  evaluator fake\n  budget 30');
    const whole = await trials(p, new Slotted(p.evaluator, 3), 11);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nas-concurrent-'));
    const meta = {
      format: RUN_FORMAT,
      product: 'test',
      file: 'x.nas',
      sourceHash: '',
      search: 'S',
      space: 'NB201',
      strategy: { name: 'random', settings: {} },
      evaluator: { name: 'fake', settings: {} },
      objectives: [],
      constraints: [],
      budget: p.spec.budget,
      seed: 11,
      created: '',
    };
    const ctrl = new AbortController();
    const store = RunStore.create(dir, meta);
    // Cancel as the 14th evaluation starts: 13 started, some still in flight.
    const first = await trials(p, new Slotted(p.evaluator, 3, (n) => n === 14 && ctrl.abort()), 11, store, ctrl.signal);
    store.close();
    expect(first.length).toBeLessThan(14);
    expect(first.map(key)).toEqual(whole.slice(0, first.length).map(key));
    const resumed = RunStore.resume(dir);
    expect(resumed.trials.map(key)).toEqual(first.map(key));
    const rest = await trials(p, new Slotted(p.evaluator, 3), 11, resumed);
    resumed.close();
    expect(rest.map(key)).toEqual(whole.map(key));
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

/**
 * Every strategy the language names runs, deterministically, within its budget, never
 * evaluating an infeasible architecture, on a separable space (NAS-Bench-201, tables), a
 * non-separable one (SM-NAS) and one whose depth choice changes which choices exist.
 */
import { describe, expect, it } from 'vitest';
import { enumerateArchitectures } from '../../src/core/semantics/space.js';
import { SearchSetupError } from '../../src/core/search/feasible.js';
import { STRATEGIES } from '../../src/core/search/vocabulary.js';
import { STRATEGY_CONSTRUCTORS } from '../../src/core/search/strategies/index.js';
import type { TrialRecord } from '../../src/protocol/search-events.js';
import { buildInExamples, mean, prepare, run, searchSpec } from './helpers.js';

const MULTI = new Set(STRATEGIES.filter((s) => !s.singleObjective).map((s) => s.name));

function trials(events: readonly { event: string }[]): TrialRecord[] {
  return events.filter((e): e is TrialRecord & { event: 'trial' } => e.event === 'trial');
}

const DEEP = `
block Unit(C: int) {
  conv(C, k=choice(1, 3)) -> relu
}
space Deep {
  input(3, 16, 16)
  conv(8, k=3)
  Unit(8) * choice(1, 2, 3)
  gap -> fc(10)
}
`;

async function nb201Search(strategy: string, extra = '', budget = 40) {
  const objectives = MULTI.has(strategy) ? 'maximize accuracy\n  minimize macs' : 'maximize accuracy';
  const b = await buildInExamples(
    `import "nb201"\nsearch S {\n  space NB201\n  strategy ${strategy}${extra}\n  ${objectives}\n  evaluator benchmark\n  budget ${budget}\n}\n`,
    `strategy-${strategy}-${Math.random().toString(36).slice(2)}.nas`,
  );
  return prepare(searchSpec(b, 'S'));
}

describe('every strategy', () => {
  it('has a constructor for each name the language accepts', () => {
    expect(Object.keys(STRATEGY_CONSTRUCTORS).sort()).toEqual(STRATEGIES.map((s) => s.name).sort());
  });

  for (const s of STRATEGIES) {
    it(`${s.name}: runs on NAS-Bench-201 within budget, distinct evaluations, the same trials for the same seed`, async () => {
      const p = await nb201Search(s.name);
      const a = await run(p, 7);
      const b = await run(p, 7);
      const ta = trials(a.events);
      expect(ta.length).toBe(a.done.evaluations);
      expect(a.done.evaluations).toBeLessThanOrEqual(40);
      expect(a.done.evaluations).toBeGreaterThan(s.name === 'smnas' ? 5 : 39);
      expect(new Set(ta.map((t) => t.encoding)).size).toBe(ta.length);
      expect(trials(b.events).map((t) => t.encoding)).toEqual(ta.map((t) => t.encoding));
      expect(a.done.best).toBeDefined();
    });

    it(`${s.name}: runs on a space whose depth choice changes which choices exist`, async () => {
      const objectives = MULTI.has(s.name) ? 'maximize accuracy\n  minimize macs' : 'maximize accuracy';
      const b = await buildInExamples(
        `${DEEP}\nsearch S {\n  space Deep\n  strategy ${s.name}\n  ${objectives}\n  evaluator fake\n  budget 10\n}\n`,
        `deep-${s.name}.nas`,
      );
      const p = prepare(searchSpec(b, 'S'));
      expect(p.space.structural).toBe(true);
      const r = await run(p, 1);
      const ts = trials(r.events);
      expect(ts.length).toBeGreaterThan(0);
      // Every trial is a real architecture of the space: its encoding elaborates to itself.
      for (const t of ts) {
        const decisions = new Map(t.encoding.split(';').map((x) => [x.slice(0, x.lastIndexOf('=')), Number(x.slice(x.lastIndexOf('=') + 1))] as const));
        const arch = p.space.fromDecisions(decisions);
        expect(arch.encoding).toBe(t.encoding);
      }
    });
  }
});

describe('constraints', () => {
  it('never evaluates an architecture over a MACs limit', async () => {
    const p = await nb201Search('regularized_evolution', '', 60);
    const spec = { ...p.spec, constraints: [{ metric: 'macs', op: '<=' as const, value: 60e6 }] };
    const r = await run(prepare(spec), 3);
    const ts = trials(r.events);
    expect(ts.length).toBe(60);
    for (const t of ts) expect(t.metrics['macs']!).toBeLessThanOrEqual(60e6);
  });

  it('samples a tiny feasible part from its enumerated list, and stops when it is exhausted', async () => {
    const p = await nb201Search('random', '', 20);
    const spec = { ...p.spec, constraints: [{ metric: 'macs', op: '>=' as const, value: 200e6 }] };
    const r = await run(prepare(spec), 3);
    const start = r.events.find((e) => e.event === 'start') as { notes: string[] };
    expect(start.notes.join(' ')).toMatch(/1 feasible architectures of 15625/);
    expect(r.done.evaluations).toBe(1);
    expect(r.done.stopped).toBe('exhausted');
    expect(r.done.best!.arch).toBe('|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|');
  });

  it('walks inside a tiny feasible part of a large space, and says so', async () => {
    const b = await buildInExamples(
      'import "spos_space"\nsearch S {\n  space SPOS\n  strategy random\n  minimize params\n  constraint params <= 3.17M\n  budget 12\n}\n',
      'spos-tiny.nas',
    );
    const p = prepare(searchSpec(b, 'S'));
    const r = await run(p, 2);
    const start = r.events.find((e) => e.event === 'start') as { notes: string[] };
    expect(start.notes.join(' ')).toMatch(/random walk/);
    const ts = trials(r.events);
    expect(ts.length).toBeGreaterThan(1);
    for (const t of ts) expect(t.metrics['params']!).toBeLessThanOrEqual(3.17e6);
  });

  it('an empty feasible part is an error naming the closest architecture', async () => {
    const p = await nb201Search('random');
    const spec = { ...p.spec, constraints: [{ metric: 'macs', op: '<=' as const, value: 1e6 }] };
    await expect(run(prepare(spec), 0)).rejects.toThrow(SearchSetupError);
    await expect(run(prepare(spec), 0)).rejects.toThrow(/no architecture of the space satisfies macs <= 1M \(the closest found has macs 7\.783M\)/);
  });
});

describe('strategy behaviour', () => {
  it('grid visits every architecture of a small space once (checked against enumeration)', async () => {
    const b = await buildInExamples(`${DEEP}\nsearch S {\n  space Deep\n  strategy grid\n  minimize macs\n  budget 100\n}\n`, 'deep-grid.nas');
    const p = prepare(searchSpec(b, 'S'));
    const r = await run(p, 0);
    const all = new Set<string>();
    enumerateArchitectures(b.def('Deep'), (res) => all.add(res.trace.map((t) => `${t.key}=${t.taken}`).join(';')));
    expect(all.size).toBe(2 + 4 + 8);
    expect(new Set(trials(r.events).map((t) => t.encoding))).toEqual(all);
    expect(r.done.stopped).toBe('exhausted');
  });

  it('local search evaluates all one-decision neighbours of its start before moving', async () => {
    const p = await nb201Search('local_search', '', 25);
    const r = await run(p, 5);
    const ts = trials(r.events);
    const start = ts[0]!.encoding.split(';');
    for (const t of ts.slice(1, 25)) {
      const diff = t.encoding.split(';').filter((x, i) => x !== start[i]);
      expect(diff.length).toBe(1);
    }
  });

  it("single-objective strategies with two objectives maximise MnasNet's reward ACC x (MACs/T)^w", async () => {
    const p = await nb201Search('random', '(target = 100M, w = -0.07)', 50);
    const spec = { ...p.spec, objectives: [...p.spec.objectives, { metric: 'macs', direction: 'minimize' as const }] };
    const r = await run(prepare(spec), 4);
    const reward = (t: { metrics: Record<string, number> }) => t.metrics['accuracy']! * Math.pow(t.metrics['macs']! / 100e6, -0.07);
    const best = trials(r.events).reduce((a, b) => (reward(b) > reward(a) ? b : a));
    expect(r.done.best!.id).toBe(best.id);
    const hard = await run(prepare({ ...spec, strategy: { name: 'random', settings: { target: 100e6, reward: 'hard' } } }), 4);
    const hardReward = (t: { metrics: Record<string, number> }) => t.metrics['accuracy']! * (t.metrics['macs']! <= 100e6 ? 1 : 100e6 / t.metrics['macs']!);
    const hardBest = trials(hard.events).reduce((a, b) => (hardReward(b) > hardReward(a) ? b : a));
    expect(hard.done.best!.id).toBe(hardBest.id);
  });

  it('a failing evaluation is recorded with its message and the search goes on; the best never failed', async () => {
    const b = await buildInExamples(
      'import "nb201"\nsearch S {\n  space NB201\n  strategy random\n  maximize accuracy\n  evaluator fake(fail = 0.3)\n  budget 40\n}\n',
      'fail.nas',
    );
    const r = await run(prepare(searchSpec(b, 'S')), 1);
    const ts = trials(r.events);
    const failed = ts.filter((t) => t.status === 'error');
    expect(failed.length).toBeGreaterThan(3);
    expect(failed[0]!.error).toMatch(/fake failure/);
    expect(r.events.filter((e) => e.event === 'error').length).toBe(failed.length);
    expect(ts.length).toBe(40);
    expect(r.done.failed).toBe(failed.length);
    expect(ts.find((t) => t.id === r.done.best!.id)!.status).toBe('ok');
  });

  it('successive halving stops most candidates at low fidelity and promotes the top third', async () => {
    const b = await buildInExamples(
      'import "nb201"\nsearch S {\n  space NB201\n  strategy random(halving = 3)\n  maximize accuracy\n  evaluator fake\n  budget 90\n}\n',
      'halving.nas',
    );
    const r = await run(prepare(searchSpec(b, 'S')), 2);
    const ts = trials(r.events);
    const full = ts.filter((t) => t.fidelity === 27);
    const low = ts.filter((t) => t.fidelity === 1);
    expect(low.length).toBeGreaterThan(ts.length / 2);
    expect(full.length).toBeGreaterThan(0);
    expect(full.length).toBeLessThan(ts.length / 4);
    for (const t of ts) expect(t.rungs!.map((x) => x.fidelity)).toEqual([1, 3, 9, 27].slice(0, t.rungs!.length));
  });

  it('SM-NAS: the structural stage keeps the inner settings at their first option, and partial-order pruning drops candidates', async () => {
    const b = await buildInExamples(
      'import "smnas_space"\nsearch S {\n  space SMNAS\n  strategy smnas(population = 8)\n  maximize accuracy\n  minimize macs\n  evaluator fake(noise = 2)\n  budget 40\n}\n',
      'smnas-test.nas',
    );
    const r = await run(prepare(searchSpec(b, 'S')), 0);
    const ts = trials(r.events);
    for (const t of ts.slice(0, 20)) expect(t.arch).toMatch(/head = W: 128, convs: 2;/);
    expect(ts.slice(20).some((t) => !/head = W: 128, convs: 2;/.test(t.arch))).toBe(true);
    expect(r.done.pruned).toBeGreaterThan(0);
    expect(r.done.pareto.length).toBeGreaterThan(1);
  });

  it('NSGA-II screening works with an objective whose worst value is unknown (latency), and reports the reference it used', async () => {
    const b = await buildInExamples(
      'import "nb201"\nsearch S {\n  space NB201\n  strategy nsga2(population = 8, screen = 4)\n  maximize accuracy\n  minimize latency\n  evaluator fake\n  budget 40\n}\n',
      'nsga2-latency.nas',
    );
    const r = await run(prepare(searchSpec(b, 'S')), 3);
    expect(r.done.evaluations).toBe(40);
    expect(r.done.pareto.length).toBeGreaterThan(1);
    const lat = trials(r.events).map((t) => t.metrics['latency']!);
    // Accuracy's worst is 0 %; latency's is the worst seen.
    expect(r.done.reference).toEqual([0, Math.max(...lat)]);
    expect(r.done.hypervolume).toBeGreaterThan(0);
  });

  it('REINFORCE learns: its later samples are fitter than its first ones', async () => {
    const p = await nb201Search('reinforce', '', 200);
    const early: number[] = [];
    const late: number[] = [];
    for (const seed of [1, 2, 3]) {
      // The policy may settle before the budget: then every sample is a cached one and the run stops.
      const ts = trials((await run(p, seed)).events).map((t) => t.metrics['accuracy']!);
      expect(ts.length).toBeGreaterThan(60);
      early.push(mean(ts.slice(0, 30)));
      late.push(mean(ts.slice(-30)));
    }
    expect(mean(late)).toBeGreaterThan(mean(early) + 3);
  });

  it('Bayesian optimisation finds fitter architectures than random search in as many queries', async () => {
    const bo = await nb201Search('bayesian', '', 100);
    const rs = await nb201Search('random', '', 100);
    const bestOf = async (p: typeof bo) => {
      const xs: number[] = [];
      for (let seed = 0; seed < 20; seed++) xs.push((await run(p, seed)).done.best!.metrics['accuracy']!);
      return mean(xs);
    };
    expect(await bestOf(bo)).toBeGreaterThan((await bestOf(rs)) + 0.3);
  });
});

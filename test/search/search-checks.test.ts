/**
 * What the editor says about a search block: settings checked against each strategy's and
 * evaluator's schema with the allowed set in the message, objectives a strategy or an
 * evaluator cannot serve, evaluators not implemented yet. Every example search is clean.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EVALUATORS, PENDING_EVALUATORS, STRATEGIES } from '../../src/core/search/vocabulary.js';
import { build, textAt } from '../helpers/nas.js';
import { EXAMPLES } from './helpers.js';

async function check(body: string) {
  const text = `import "nb201"\nsearch S {\n  space NB201\n${body}\n}\n`;
  const b = await build(text, undefined, path.join(EXAMPLES, `checks-${Math.random().toString(36).slice(2)}.nas`));
  return b.diagnostics.map((d) => ({ severity: d.severity, code: d.code, message: d.message, at: textAt(text, d) }));
}

describe('search block checks', () => {
  it('an unknown setting lists the settings the strategy takes', async () => {
    const d = await check('  strategy regularized_evolution(population = 10, tournament = 3)\n  maximize accuracy\n  evaluator benchmark');
    expect(d).toEqual([
      {
        severity: 'error',
        code: 'unknown-setting',
        message: 'strategy regularized_evolution has no setting `tournament` (settings: population, sample, warmup, proxy, target, w, reward, halving)',
        at: 'tournament = 3',
      },
    ]);
  });

  it('a bad value says what is allowed, at the value', async () => {
    const d = await check(
      '  strategy nsga2(population = 2.5, crossover = 1.5, init = "grid")\n  maximize accuracy\n  minimize macs\n  evaluator benchmark(dataset = "svhn")',
    );
    expect(d.map((x) => [x.message, x.at])).toEqual([
      ['`population` must be an integer >= 4, found 2.5', '2.5'],
      ['`crossover` must be a number >= 0 and <= 1, found 1.5', '1.5'],
      ['`init` must be one of "random", "spread", found "grid"', '"grid"'],
      ['`dataset` must be one of "cifar10", "cifar100", "imagenet16-120", found "svhn"', '"svhn"'],
    ]);
  });

  it('a tournament larger than the population, a reference point of the wrong length', async () => {
    const d = await check('  strategy evolution(population = 4, sample = 5)\n  maximize accuracy\n  evaluator benchmark');
    expect(d.map((x) => x.message)).toEqual(['the tournament `sample` (5) cannot exceed the `population` (4)']);
    const r = await check('  strategy nsga2(reference = [90])\n  maximize accuracy\n  minimize macs\n  evaluator benchmark');
    expect(r.map((x) => x.message)).toEqual(['the reference point needs one value per objective (2), found 1']);
  });

  it('two objectives in a strategy that compares results need the MnasNet target; with it they are fine', async () => {
    const d = await check('  strategy local_search\n  maximize accuracy\n  minimize macs\n  evaluator benchmark');
    expect(d.map((x) => x.code)).toEqual(['search-objectives']);
    expect(d[0]!.message).toMatch(/add `target = \.\.\.`, or use nsga2/);
    expect(await check('  strategy local_search(target = 100M)\n  maximize accuracy\n  minimize macs\n  evaluator benchmark')).toEqual([]);
    // Random and grid compare nothing: without a target they return the front.
    expect(await check('  strategy random\n  maximize accuracy\n  minimize macs\n  evaluator benchmark')).toEqual([]);
  });

  it('a metric the evaluator does not report, and one that needs an evaluator', async () => {
    const d = await check('  strategy random\n  minimize latency\n  evaluator benchmark');
    expect(d.map((x) => [x.code, x.message, x.at])).toEqual([
      ['unknown-metric', 'evaluator benchmark does not report `latency` (it reports accuracy, error, macs, flops, params, activations)', 'minimize latency'],
    ]);
    const e = await check('  maximize accuracy');
    expect(e[0]!.message).toMatch(/`accuracy` needs an evaluator/);
    expect(await check('  minimize macs\n  constraint params <= 1M')).toEqual([]);
  });

  it('the evaluators that train have their settings checked where written; none is pending', async () => {
    expect([...PENDING_EVALUATORS]).toEqual([]);
    expect(await check('  maximize accuracy\n  evaluator supernet(data = "fashion-mnist", epochs = 2, calibration = 10)')).toEqual([]);
    expect(await check('  maximize accuracy\n  evaluator train(data = "fashion-mnist", epochs = 2, fidelities = [1, 2])')).toEqual([]);
    const d = await check('  maximize accuracy\n  evaluator train(data = "", fidelities = [3, 1], epoch = 2)');
    expect(d.map((x) => x.message).sort()).toEqual(
      [
        '`data` must be a non-empty string, found ""',
        '`fidelities` must be an ascending list of integers >= 1, found [3, 1]',
        'evaluator train has no setting `epoch` (settings: data, images, val_fraction, augment, seed, epochs, batch, lr, momentum, weight_decay, fidelity, fidelities, patience, seconds, test, latency_batch, engine, slots, amp, channels_last)',
      ].sort(),
    );
    const images = await check('  maximize accuracy\n  evaluator train(fidelity = "images")');
    expect(images.map((x) => x.message)).toEqual(['`fidelity = "images"` counts training images: give them, e.g. `fidelities = [5000, 20000]`']);
    expect((await check('  maximize score\n  evaluator zero_cost(proxy = "jacov")'))[0]!.message).toMatch(/`proxy` must be one of "synflow", "naswot"/);
  });

  it('budget, seed and constraints must be constants of the right kind', async () => {
    const d = await check('  maximize accuracy\n  evaluator benchmark\n  budget(queries = 10, hours = 2)\n  seed -1\n  constraint macs <= "big"');
    expect(d.map((x) => x.message).sort()).toEqual(
      [
        'a constraint compares with a constant number (`constraint macs <= 300M`)',
        'the budget takes `queries` and `seconds`, not `hours`',
        'the seed is an integer in 0..2^32-1',
      ].sort(),
    );
  });

  it('every example search block is clean, and every evaluator name runs or is pending', async () => {
    for (const f of fs.readdirSync(EXAMPLES).filter((x) => x.endsWith('.nas'))) {
      const text = fs.readFileSync(path.join(EXAMPLES, f), 'utf8');
      if (!text.includes('search ')) continue;
      const b = await build(text, undefined, path.join(EXAMPLES, `clean-${f}`));
      expect(b.diagnostics.filter((x) => x.code.startsWith('search') || x.code.includes('setting') || x.code === 'unknown-metric')).toEqual([]);
    }
    expect(STRATEGIES.length).toBe(9);
    expect(EVALUATORS.map((e) => e.name).filter((n) => !PENDING_EVALUATORS.has(n))).toEqual(['benchmark', 'cost', 'fake', 'train', 'supernet', 'zero_cost']);
  });
});

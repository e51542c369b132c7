/**
 * `nas search` with the `supernet` evaluator through the bundled CLI: training progress as
 * `setup` events before the first trial, the supernet saved in its cache, and a later search
 * and a `--resume` of the run loading it instead of training. Three CLI processes that each
 * load the training engine: the slow tier.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SearchEvent } from '../../src/protocol/search-events.js';
import { ROOT, nas as runNas, tempFolder } from '../helpers/cli.js';

const nas = (args: string[], cwd = ROOT) => runNas(args, cwd, 300_000);
const tmp = (): string => tempFolder('nas-supernet-cli-');

function events(stdout: string): SearchEvent[] {
  return stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as SearchEvent);
}

describe('nas search with the supernet evaluator', () => {
  it('a supernet search: training progress as setup events, the supernet saved; a later search and a --resume load it', () => {
    const dir = tmp();
    const cache = path.join(dir, 'cache');
    const file = path.join(dir, 's.nas');
    fs.writeFileSync(
      file,
      'space T {\n  input(3, 8, 8)\n  conv(choice(4, 8), k=choice(1, 3)) -> bn -> relu\n  gap -> fc(10)\n}\n' +
        `search S {\n  space T\n  strategy evolution(population = 2, sample = 2)\n  maximize accuracy\n  constraint macs <= 100000\n` +
        `  evaluator supernet(data = "shapes10", images = 40, epochs = 1, batch = 10, calibration = 1, cache = "${cache}")\n  budget 3\n}\n`,
    );
    const first = nas(['search', file, '--json', '--out', path.join(dir, 'run1')]);
    expect(first.code).toBe(0);
    const ev = events(first.stdout);
    const setup = ev.filter((e) => e.event === 'setup');
    const steps = setup.at(-1)!.steps;
    expect(steps).toBeGreaterThan(1);
    expect(setup.at(-1)).toMatchObject({ event: 'setup', evaluator: 'supernet', phase: 'trained', step: steps });
    expect(setup.slice(0, -1).map((e) => [e.phase, e.step])).toEqual(Array.from({ length: steps }, (_, i) => ['train', i + 1]));
    expect(ev.map((e) => e.event).indexOf('trial')).toBeGreaterThan(ev.map((e) => e.event).lastIndexOf('setup'));
    expect(first.stderr).toMatch(/supernet of T: training 1 epoch on \d+ images .* one feasible path drawn uniformly per batch of 10/);
    expect(fs.readdirSync(cache)).toEqual([path.basename(setup.at(-1)!.file!)]);
    const second = nas(['search', file, '--out', path.join(dir, 'run2')]);
    expect(second.code).toBe(0);
    expect(second.stderr).toMatch(/supernet of T: loaded from .*cache\/T-[0-9a-f]{16}\.safetensors \(\d+ tensors, trained \d+ steps\); not trained again/);
    const resumed = nas(['search', '--resume', path.join(dir, 'run1'), '--json']);
    expect(resumed.code).toBe(0);
    expect(events(resumed.stdout).filter((e) => e.event === 'setup')).toMatchObject([{ phase: 'loaded', step: steps }]);
  });
});

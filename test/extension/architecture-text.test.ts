/**
 * How the dashboard opens a trial: its `.nas` text from the real CLI (`nas sample --arch`), which
 * costs what the trial recorded, and the file that defines the run's space for the graph view.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { architectureText, decisionsOf, spaceFile } from '../../src/extension/search/architecture-text.js';
import type { RunManifest } from '../../src/protocol/dashboard.js';
import type { TrialRecord } from '../../src/protocol/search-events.js';

const ROOT = path.resolve(__dirname, '../..');
const SEARCH_FILE = path.join(ROOT, 'examples/nb201_search.nas');

describe('opening a trial', () => {
  const lines = fs.readFileSync(path.join(__dirname, 'fixtures/nb201-pareto-40.ndjson'), 'utf8').trim().split('\n');
  const trial = JSON.parse(lines.find((l) => l.includes('"event":"trial"'))!) as TrialRecord;
  const manifest = { file: SEARCH_FILE, space: 'NB201', search: 'NB201Pareto' } as RunManifest;

  it('gets the .nas text of the recorded architecture from the CLI: its id, params and MACs', async () => {
    const text = await architectureText({ node: process.execPath, cli: path.join(ROOT, 'bin/nas.cjs') }, manifest, trial);
    expect(text).toMatch(/^# trial 1 of search NB201Pareto\n/);
    expect(text).toContain(`: ${trial.metrics['params']!.toLocaleString('en-US')} params,`);
    expect(text).toContain(`id ${trial.id}`);
    expect(text).toContain(trial.arch);
    expect(text).not.toMatch(/^import /m);
    expect(text).toMatch(/\nnetwork NB201_[0-9a-f]{8} \{/);
  });

  it('finds the space in the imported file, not at the search block that names it', () => {
    expect(spaceFile(SEARCH_FILE, 'NB201')).toBe(path.join(ROOT, 'examples/nb201.nas'));
    expect(spaceFile(SEARCH_FILE, 'NoSuchSpace')).toBeUndefined();
  });

  it('reads decisions from an encoding whose keys contain ":" and "/"', () => {
    expect(decisionsOf('NB201Op@2:3/NB201Cell@3:14=0;NB201Op@2:3/NB201Cell@4:18=4')).toEqual({
      'NB201Op@2:3/NB201Cell@3:14': 0,
      'NB201Op@2:3/NB201Cell@4:18': 4,
    });
  });
});

/**
 * How the dashboard and the runs view open a trial: its readable `.nas` text (its record's, or
 * the real CLI's, `nas sample --arch`, which costs what the trial recorded), written elsewhere
 * with its imports rebased, exported as PyTorch by the real CLI, and the file that defines the
 * run's space for the graph view.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { architectureText, decisionsOf, pytorchExportArgs, rebaseImports, runCli, spaceFile } from '../../src/extension/search/architecture-text.js';
import type { RunManifest } from '../../src/protocol/dashboard.js';
import type { TrialRecord } from '../../src/protocol/search-events.js';

const ROOT = path.resolve(__dirname, '../..');
const SEARCH_FILE = path.join(ROOT, 'examples/nb201_search.nas');

describe('opening a trial', () => {
  const lines = fs.readFileSync(path.join(__dirname, 'fixtures/nb201-pareto-40.ndjson'), 'utf8').trim().split('\n');
  const trial = JSON.parse(lines.find((l) => l.includes('"event":"trial"'))!) as TrialRecord;
  const manifest = { file: SEARCH_FILE, space: 'NB201', search: 'NB201Pareto' } as RunManifest;

  const cli = { node: process.execPath, cli: path.join(ROOT, 'bin/nas.cjs') };

  it('a record without readable text (an older run): the CLI writes it, importing the space by absolute path, with the id, params and MACs recorded', async () => {
    expect(trial.nas).toBeUndefined();
    const text = await architectureText(cli, manifest, trial);
    expect(text).toMatch(/^# trial 1 of search NB201Pareto\n/);
    expect(text).toContain(`import ${JSON.stringify(path.join(ROOT, 'examples/nb201'))}`);
    expect(text).toContain(`: ${trial.metrics['params']!.toLocaleString('en-US')} params,`);
    expect(text).toContain(`id ${trial.id}`);
    expect(text).toContain(trial.arch);
    expect(text).toMatch(/\nnetwork NB201_[0-9a-f]{8} = NB201 with \{\n {2}NB201Cell \{\n/);
  });

  it("a record's own readable text is used as it is", async () => {
    const nas = 'import "../nb201"\n\nnetwork N = NB201 with {}\n';
    expect(await architectureText({ node: '/nonexistent', cli: '' }, manifest, { ...trial, nas })).toBe(nas);
  });

  it('relative imports are rewritten for a file written in another folder; absolute and std imports stay', () => {
    const text = 'import "../../nb201"\nimport "std/blocks"\nimport "/abs/x"\n# import "../y"\nnetwork N = NB201 with {}\n';
    expect(rebaseImports(text, '/p/examples/runs/R-1', '/p/models')).toBe(
      'import "../examples/nb201"\nimport "std/blocks"\nimport "/abs/x"\n# import "../y"\nnetwork N = NB201 with {}\n',
    );
    expect(rebaseImports('import "./a"\n', '/p/r', '/p/r')).toBe('import "./a"\n');
  });

  it("exports a trial as PyTorch through the CLI: the file holds the trial's encoding and the recorded parameter count", async () => {
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'nas-export-trial-')), 'trial.py');
    await runCli(cli, pytorchExportArgs(manifest, trial, out));
    const code = fs.readFileSync(out, 'utf8');
    expect(code).toContain(
      `\n${trial.metrics['params']!.toLocaleString('en-US')} parameters, ${trial.metrics['macs']!.toLocaleString('en-US')} MACs per image;`,
    );
    expect(code).toContain(`Encoding: ${trial.encoding}`);
    expect(code).toMatch(/^class \w+\(nn\.Module\):/m);
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

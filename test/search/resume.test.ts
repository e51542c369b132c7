/**
 * Runs survive a crash: a real `nas search` process (bin/nas.cjs, built by npm test) is killed
 * with SIGKILL when it has reported a chosen number of trials (steps, not time), resumed with
 * --resume, and the finished run must equal an uninterrupted one with the same seed, trial by
 * trial (readable .nas text included). Ctrl-C (SIGINT) stops cleanly with exit code 130 and leaves the run resumable.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/util/random.js';
import type { TrialRecord } from '../../src/protocol/search-events.js';

const ROOT = path.resolve(__dirname, '../..');
const BIN = path.join(ROOT, 'bin/nas.cjs');
const BUDGET = 24;

function searchFile(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nas-resume-'));
  fs.copyFileSync(path.join(ROOT, 'examples/nb201.nas'), path.join(dir, 'nb201.nas'));
  const file = path.join(dir, 'search.nas');
  // A stateful strategy (a population and a surrogate) and an evaluator slow enough to be caught mid-run.
  fs.writeFileSync(
    file,
    `import "nb201"
search Slow {
  space NB201
  strategy nsga2(population = 6, screen = 3)
  maximize accuracy
  minimize macs
  evaluator fake(delay = 40, fail = 0.1)
  budget ${BUDGET}
  seed 11
}
`,
  );
  return file;
}

function trials(dir: string): Omit<TrialRecord, 'seconds'>[] {
  return fs
    .readFileSync(path.join(dir, 'trials.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => {
      const t = JSON.parse(l) as TrialRecord;
      const { seconds: _seconds, ...rest } = t;
      return rest;
    });
}

/** Starts a search and signals it once `after` trial events have been printed; resolves with its exit. */
function interrupt(
  args: string[],
  after: number,
  signal: NodeJS.Signals,
): Promise<{ code: number | null; signal: NodeJS.Signals | null; seen: number; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT });
    let seen = 0;
    let buf = '';
    let stderr = '';
    let sent = false;
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if ((JSON.parse(line) as { event: string }).event === 'trial') seen++;
        if (seen >= after && !sent) {
          sent = true;
          child.kill(signal);
        }
      }
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code, sig) => resolve({ code, signal: sig, seen, stderr }));
  });
}

function nas(args: string[]) {
  return spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
}

describe('resuming a search', () => {
  const file = searchFile();
  const base = path.dirname(file);
  const whole = path.join(base, 'whole');
  const full = nas(['search', file, '--json', '--out', whole]);

  it('the uninterrupted reference run completes', () => {
    expect(full.status).toBe(0);
    expect(trials(whole)).toHaveLength(BUDGET);
    expect(trials(whole).some((t) => t.status === 'error')).toBe(true);
  });

  it("every trial record carries its architecture's readable .nas text, which parses back to the recorded costs", () => {
    const records = trials(whole);
    expect(records.every((t) => t.nas?.includes(`network NB201_${t.id.slice(0, 8)} = NB201 with {`))).toBe(true);
    for (const t of [records[0]!, records[BUDGET - 1]!]) {
      const file = path.join(whole, `trial-${t.trial}.nas`);
      fs.writeFileSync(file, t.nas!);
      const cost = nas(['cost', file, '--json']);
      expect(cost.status, cost.stderr).toBe(0);
      const [figures] = JSON.parse(cost.stdout) as { params: number; macs: number }[];
      expect({ params: figures!.params, macs: figures!.macs }).toEqual({ params: t.metrics['params'], macs: t.metrics['macs'] });
    }
  });

  const rng = new Rng(2024);
  const points = [1 + rng.int(BUDGET - 2), 1 + rng.int(BUDGET - 2), 1 + rng.int(BUDGET - 2)];
  for (const [n, k] of points.entries()) {
    it(`killed with SIGKILL after trial ${k}, then resumed, equals the uninterrupted run`, async () => {
      const dir = path.join(base, `killed-${n}`);
      const r = await interrupt(['search', file, '--json', '--out', dir], k, 'SIGKILL');
      expect(r.signal).toBe('SIGKILL');
      const kept = trials(dir).length;
      expect(kept).toBeGreaterThanOrEqual(k);
      expect(kept).toBeLessThan(BUDGET);
      // A kill in the middle of a write leaves a torn last line: resume drops it.
      fs.appendFileSync(path.join(dir, 'trials.jsonl'), '{"trial": 99, "id": "torn');
      const resumed = nas(['search', '--resume', dir, '--json']);
      expect(resumed.status).toBe(0);
      const start = JSON.parse(resumed.stdout.split('\n')[0]!) as { event: string; resumed: number };
      expect(start).toMatchObject({ event: 'start', resumed: kept });
      expect(trials(dir)).toEqual(trials(whole));
      const done = JSON.parse(fs.readFileSync(path.join(dir, 'result.json'), 'utf8'));
      const wholeDone = JSON.parse(fs.readFileSync(path.join(whole, 'result.json'), 'utf8'));
      expect(done.pareto).toEqual(wholeDone.pareto);
      expect(done.hypervolume).toBe(wholeDone.hypervolume);
    }, 120_000);
  }

  it('Ctrl-C stops, cancelling the trials in flight, with exit code 130, and the run resumes to the same end', async () => {
    const dir = path.join(base, 'interrupted');
    const r = await interrupt(['search', file, '--json', '--out', dir], 5, 'SIGINT');
    expect(r.code).toBe(130);
    expect(r.stderr).toMatch(/stopping; trials in flight are cancelled and not recorded, the run can be resumed/);
    const done = JSON.parse(fs.readFileSync(path.join(dir, 'result.json'), 'utf8'));
    expect(done.stopped).toBe('cancelled');
    const resumed = nas(['search', '--resume', dir, '--json']);
    expect(resumed.status).toBe(0);
    expect(trials(dir)).toEqual(trials(whole));
  }, 120_000);

  it('refuses to resume when the file changed, and to overwrite a run', () => {
    const copy = path.join(base, 'copy');
    fs.cpSync(whole, copy, { recursive: true });
    expect(nas(['search', file, '--out', copy]).stderr).toMatch(/already holds a run \(continue it with --resume/);
    fs.appendFileSync(file, '\n# edited\n');
    const r = nas(['search', '--resume', copy]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/changed since the run .* started/);
  });
});

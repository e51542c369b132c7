/**
 * `nas export --to pytorch` as users run it: the bundle npm test builds (its `runCli`,
 * test/helpers/cli.ts); the written code is counted by Debian's PyTorch (/usr/bin/python3)
 * against published figures and `nas sample`'s.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { nasInProcess, runProcess } from '../helpers/cli.js';

const ROOT = path.resolve(__dirname, '../..');

const run = (cmd: string, args: string[], input?: string) => runProcess(cmd, args, { cwd: ROOT, input });

/** The parameter count of a file's Model, as PyTorch counts it (the code comes on stdin; its `__main__` demo does not run). */
async function torchParams(code: string): Promise<number> {
  const r = await run(
    '/usr/bin/python3',
    ['-c', "import sys\nns = {'__name__': 'exported'}\nexec(sys.stdin.read(), ns)\nprint(sum(p.numel() for p in ns['Model']().parameters()))"],
    code,
  );
  if (r.code !== 0) throw new Error(r.stderr);
  return Number(r.stdout.trim());
}

const tmpDir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'nas-export-'));

describe('nas export --to pytorch', () => {
  it("writes ResNet-50 to stdout; PyTorch counts torchvision's 25,557,032 parameters", { timeout: 300_000 }, async () => {
    const r = await nasInProcess(['export', 'examples/resnet50.nas', '--to', 'pytorch']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^"""ResNet50: the network ResNet50 of examples\/resnet50\.nas/);
    expect(r.stdout).toMatch(/nas export examples\/resnet50\.nas --to pytorch/);
    expect(await torchParams(r.stdout)).toBe(25_557_032);
  });

  it("writes an architecture of a space to --out, with nas sample's parameters; refuses to overwrite without --force", { timeout: 300_000 }, async () => {
    const sample = await nasInProcess(['sample', 'examples/nb201.nas', '--json', '--count', '1', '--seed', '3']);
    const [arch] = JSON.parse(sample.stdout) as { encoding: string; params: number }[];
    const dir = tmpDir();
    const out = path.join(dir, 'nb201.py');
    const r = await nasInProcess(['export', 'examples/nb201.nas', '--arch', arch!.encoding, '--to', 'pytorch', '--out', out]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(new RegExp(`wrote .*nb201\\.py: class NB201 \\(Model\\), ${arch!.params.toLocaleString('en-US')} parameters`));
    const code = fs.readFileSync(out, 'utf8');
    expect(code).toContain(arch!.encoding);
    expect(await torchParams(code)).toBe(arch!.params);
    const again = await nasInProcess(['export', 'examples/nb201.nas', '--arch', arch!.encoding, '--to', 'pytorch', '--out', out]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/exists: refusing to overwrite it \(pass --force/);
    expect(fs.readFileSync(out, 'utf8')).toBe(code);
    const forced = await nasInProcess(['export', 'examples/nb201.nas', '--arch', arch!.encoding, '--to', 'pytorch', '--out', out, '--force']);
    expect(forced.code).toBe(0);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('exit 2 for a space without --arch and for --out naming the input; exit 1 for errors and for names PyTorch reserves', { timeout: 300_000 }, async () => {
    const space = await nasInProcess(['export', 'examples/nb201.nas', '--to', 'pytorch']);
    expect(space.code).toBe(2);
    expect(space.stderr).toMatch(/only the space NB201: choose an architecture with --arch/);
    const dir = tmpDir();
    const input = path.join(dir, 'net.nas');
    fs.writeFileSync(input, 'network Net {\n  input(3, 8, 8)\n  forward = conv(8, k=3) -> bn\n  gap -> fc(10)\n}\n');
    const same = await nasInProcess(['export', input, '--to', 'pytorch', '--out', input, '--force']);
    expect(same.code).toBe(2);
    expect(same.stderr).toMatch(/is the input file: refusing to overwrite it/);
    const reserved = await nasInProcess(['export', input, '--to', 'pytorch']);
    expect(reserved.code).toBe(1);
    expect(reserved.stderr).toMatch(/the name `forward` .* is an attribute of torch\.nn\.Module and cannot name a module: rename it/);
    const bad = path.join(dir, 'bad.nas');
    fs.writeFileSync(bad, 'network Bad {\n  input(3, 8, 8)\n  conv(8, k=3) -> rleu\n}\n');
    const errors = await nasInProcess(['export', bad, '--to', 'pytorch']);
    expect(errors.code).toBe(1);
    expect(errors.stderr).toMatch(/bad\.nas:3:\d+: error .*rleu/);
    expect(errors.stdout).toBe('');
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe('nas export --run DIR (an architecture of a search run)', () => {
  it(
    'exports a trial and the chosen architecture as PyTorch and as .nas, with the parameters the run recorded; refuses what the run does not have',
    { timeout: 300_000 },
    async () => {
      const dir = tmpDir();
      const nasFile = path.join(dir, 's.nas');
      // A fake evaluator failing about a third of the trials (deterministic by encoding).
      fs.writeFileSync(
        nasFile,
        `import "${path.join(ROOT, 'examples/nb201')}"\nsearch S {\n  space NB201\n  strategy random\n  maximize accuracy\n  evaluator fake(fail = 0.3)\n  budget 8\n}\n`,
      );
      const runDir = path.join(dir, 'run');
      const s = await nasInProcess(['search', nasFile, '--out', runDir, '--quiet']);
      expect(s.code).toBe(0);
      const trials = fs
        .readFileSync(path.join(runDir, 'trials.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { trial: number; status: string; metrics: { params: number } });
      const ok = trials.find((t) => t.status === 'ok' && t.trial > 1)!;
      const bad = trials.find((t) => t.status === 'error')!;
      expect(ok && bad).toBeTruthy();

      const py = await nasInProcess(['export', '--run', runDir, '--trial', String(ok.trial), '--to', 'pytorch']);
      expect(py.code).toBe(0);
      expect(py.stdout).toContain(`--trial ${ok.trial} --to pytorch`);
      expect(await torchParams(py.stdout)).toBe(ok.metrics.params);

      const best = JSON.parse(fs.readFileSync(path.join(runDir, 'result.json'), 'utf8')) as { best: { trial: number; metrics: { params: number } } };
      const out = path.join(dir, 'best.nas');
      const n = await nasInProcess(['export', '--run', runDir, '--best', '--to', 'nas', '--out', out]);
      expect(n.code).toBe(0);
      const cost = await nasInProcess(['cost', out, '--json']);
      expect(cost.code).toBe(0);
      expect(JSON.stringify(JSON.parse(cost.stdout))).toContain(`"params":${best.best.metrics.params}`);

      const refusals = await Promise.all([
        nasInProcess(['export', '--run', runDir, '--trial', String(bad.trial), '--to', 'pytorch']),
        nasInProcess(['export', '--run', runDir, '--trial', '99', '--to', 'pytorch']),
        nasInProcess(['export', '--run', runDir, '--trial', '1', '--best', '--to', 'pytorch']),
        nasInProcess(['export', '--run', dir, '--to', 'pytorch']),
        nasInProcess(['export', nasFile, '--run', runDir, '--to', 'pytorch']),
      ]);
      expect(refusals.map((r) => r.code)).toEqual([2, 2, 2, 2, 2]);
      expect(refusals[0]!.stderr).toMatch(new RegExp(`trial ${bad.trial} of the run .* failed \\(fake failure`));
      expect(refusals[1]!.stderr).toMatch(/has no trial 99 \(trials 1 to 8\)/);
      expect(refusals[3]!.stderr).toMatch(/is not a run directory \(no run\.json\)/);
      fs.rmSync(path.join(runDir, 'result.json'));
      const unfinished = await nasInProcess(['export', '--run', runDir, '--to', 'nas']);
      expect(unfinished.code).toBe(2);
      expect(unfinished.stderr).toMatch(/no result\.json .*--trial N \(1 to 8\)/);
    },
  );
});

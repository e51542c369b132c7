/**
 * The adversarial findings of issue 20 at the level they were found: the bundled `nas`, checked
 * on exit code (0, 1 or 2 only), message, and bounds stated as sizes and steps (a run that hung
 * would fail on the spawn's or the test's guard, not on a time bound here). Search, training and
 * streaming to a reader that goes away run in a child process; the rest call the bundle's
 * `runCli` in this process (test/helpers/cli.ts).
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAX_SOURCE_BYTES } from '../../src/core/source-files.js';
import { ANALYSIS_WORK_LIMIT } from '../../src/core/semantics/analysis-budget.js';
import { BIN, ROOT, nas, nasInProcess, tempFolder } from '../helpers/cli.js';

const tmpDir = (): string => tempFolder('nas-bad-');

function write(dir: string, name: string, text: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

function fifo(dir: string, name: string): string {
  const file = path.join(dir, name);
  expect(spawnSync('mkfifo', [file]).status).toBe(0);
  return file;
}

const SPACE = (body: string) => `space S {\n  input(3, 8, 8)\n  ${body}\n}\n`;

describe('files that are not regular files, or too large, are never read', () => {
  it('refuses /dev/zero, /dev/null, a FIFO and a link to a device with exit 2 naming the file', async () => {
    const dir = tmpDir();
    const pipe = fifo(dir, 'pipe.nas');
    const link = path.join(dir, 'zero.nas');
    fs.symlinkSync('/dev/zero', link);
    for (const [file, what] of [
      ['/dev/zero', 'a character device'],
      ['/dev/null', 'a character device'],
      [pipe, 'a FIFO (named pipe)'],
      [link, 'a character device'],
    ] as const) {
      const r = await nasInProcess(['check', file]);
      expect(r.code, file).toBe(2);
      expect(r.stderr).toBe(`nas: cannot read ${file}: is ${what}, not a regular file; only regular files are read\n`);
    }
  });

  it(`refuses a file over ${MAX_SOURCE_BYTES} bytes without reading it, and a directory`, async () => {
    const dir = tmpDir();
    // A million lines took 33 s and 1.6 GB before `too-large`.
    const text = `network N {\n  input(3, 8, 8)\n${'  relu\n'.repeat(1_000_000)}}\n`;
    const big = write(dir, 'million.nas', text);
    const r = await nasInProcess(['check', big]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `nas: cannot read ${big}: is ${text.length.toLocaleString('en-US')} bytes, more than the ${MAX_SOURCE_BYTES.toLocaleString('en-US')} a source file may have\n`,
    );
    const d = await nasInProcess(['cost', dir]);
    expect(d.code).toBe(2);
    expect(d.stderr).toBe(`nas: cannot read ${dir}: is a directory, expected a .nas file\n`);
  });

  it('checks a file whatever its name: NET.NAS, net.txt, no extension', async () => {
    const dir = tmpDir();
    for (const name of ['NET.NAS', 'net.txt', 'net']) {
      const file = write(dir, name, 'network N {\n  input(3, 8, 8)\n  rleu\n}\n');
      const r = await nasInProcess(['check', file]);
      expect(r.stderr, name).toBe('');
      expect(r.stdout).toBe(`${file}:3:3: error unknown-name unknown name \`rleu\`; did you mean \`relu\`?\n`);
      expect(r.code).toBe(1);
    }
  });

  it('reports an import of a FIFO or of a link to /dev/zero at the import, without reading it', async () => {
    const dir = tmpDir();
    fifo(dir, 'pipe.nas');
    fs.symlinkSync('/dev/zero', path.join(dir, 'zero.nas'));
    const main = write(dir, 'main.nas', 'import "pipe"\nimport "zero"\nnetwork N {\n  input(3, 8, 8)\n  relu\n}\n');
    const r = await nasInProcess(['check', main]);
    expect(r.code).toBe(1);
    expect(r.stdout.split('\n').filter(Boolean)).toEqual([
      `${main}:1:8: error import-unreadable cannot import "pipe": ${dir}/pipe.nas is a FIFO (named pipe), not a regular file; only regular files are read`,
      `${main}:2:8: error import-unreadable cannot import "zero": ${dir}/zero.nas is a character device, not a regular file; only regular files are read`,
    ]);
  });
});

describe('a run directory given to --resume is read like a source file; --out must be a directory', () => {
  it('a FIFO or a link to /dev/zero among its files is named, exit 2, instead of a hang', async () => {
    const dir = tmpDir();
    fs.symlinkSync('/dev/zero', path.join(dir, 'run.json'));
    const r = nas(['search', '--resume', dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`nas: cannot read ${dir}/run.json: is a character device, not a regular file; only regular files are read\n`);
    fs.rmSync(path.join(dir, 'run.json'));
    fs.writeFileSync(path.join(dir, 'run.json'), '{"format": 1}\n');
    fifo(dir, 'trials.jsonl');
    const t = nas(['search', '--resume', dir]);
    expect(t.code).toBe(2);
    expect(t.stderr).toBe(`nas: cannot read ${dir}/trials.jsonl: is a FIFO (named pipe), not a regular file; only regular files are read\n`);
    // A new run into something that is not a directory: a sentence, not mkdir's EEXIST.
    const n = nas(['search', 'examples/nb201_search.nas', '--budget', '2', '--quiet', '--out', path.join(dir, 'trials.jsonl')]);
    expect(n.code).toBe(2);
    expect(n.stderr).toBe(`nas: cannot write the run directory ${dir}/trials.jsonl: it exists and is not a directory\n`);
  });
});

describe('every command is bounded by stated limits', () => {
  it('a choice over a million values is a too-large diagnostic at the choice, found by check', async () => {
    const f = write(tmpDir(), 'range.nas', SPACE('conv(choice(1..1000000), k=1)'));
    const r = await nasInProcess(['check', f]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe(`${f}:3:8: error too-large a choice of 1,000,000 options: a choice may have at most 100,000\n`);
    // choose(20, 40 ops): C(40, 20) = 137,846,528,820 subsets.
    const g = write(tmpDir(), 'choose.nas', SPACE(`choose(20, [${Array.from({ length: 40 }, () => 'relu').join(', ')}])`));
    expect((await nasInProcess(['check', g])).stdout).toBe(
      `${g}:3:3: error too-large choose(20, ...) of 40 options has more than 100,000 subsets, the most a choice may have\n`,
    );
  });

  it('cost and sample stop a space too large to analyse at the step budget, exit 1 with the reason', async () => {
    const dir = tmpDir();
    // 100,000 options in a network of 200 layers: 100,000 probes of some 400 steps each.
    const wide = write(dir, 'wide.nas', SPACE(['conv(choice(1..100000), k=1)', ...Array.from({ length: 200 }, () => 'relu')].join('\n  ')));
    // A block of 10 choices repeated 1,000 times: 10,000 choices.
    const block = `block B(C: int) {\n${Array.from({ length: 10 }, () => '  conv(choice(8, 16), k=3)').join('\n')}\n}\n`;
    const deep = write(dir, 'deep.nas', `${block}space S {\n  input(3, 8, 8)\n  B(8) * 1000\n}\n`);
    const limit = ANALYSIS_WORK_LIMIT.toLocaleString('en-US');
    for (const [file, what] of [
      [wide, '1 choice (100,000 options in all)'],
      [deep, '10,000 choices (20,000 options in all)'],
    ] as const) {
      expect((await nasInProcess(['check', file])).code, file).toBe(0);
      for (const command of ['cost', 'sample']) {
        const r = await nasInProcess([command, file]);
        expect(r.code, `${command} ${file}`).toBe(1);
        expect(r.stdout).toBe('');
        expect(r.stderr).toBe(
          `${file}: the space S is too large to analyse: probing its ${what} needs more than the ${limit} evaluation steps an analysis may spend\n`,
        );
      }
    }
  });

  it('a choice of 10,000 values is analysed exactly: its list is built once, not once per probe', async () => {
    // It was refused (each of the 10,000 probes rebuilt the list: 10^8 steps).
    const f = write(tmpDir(), 'values.nas', SPACE('conv(choice(1..10000), k=1)'));
    const r = await nasInProcess(['cost', '--json', f]);
    expect(r.code).toBe(0);
    // Closed form: c output channels of a 1x1 conv on 3x8x8 cost 3c params, 3c x 64 MACs.
    expect(JSON.parse(r.stdout)).toMatchObject([{ size: '10000', exact: true, minParams: 3, maxParams: 30_000, minMacs: 192, maxMacs: 1_920_000 }]);
  });

  it('a 100,000-character unknown name gets no suggestion and is not echoed whole', async () => {
    const name = 'a'.repeat(100_000);
    const f = write(tmpDir(), 'long.nas', `network N {\n  input(3, 8, 8)\n  ${name}\n}\n`);
    const r = await nasInProcess(['check', f]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe(`${f}:3:3: error unknown-name unknown name \`${'a'.repeat(64)}… (100,000 characters)\`\n`);
  });

  it('nas sample --count caps what is unreasonable, and prints each architecture as it is made', async () => {
    const r = await nasInProcess(['sample', '--count', '1e12', 'examples/nb201.nas']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('nas: --count needs an integer from 1 to 100,000, found "1e12"\n');
    // The first architecture arrives while the process is still sampling the rest.
    const child = spawn(process.execPath, [BIN, 'sample', '--count', '100000', 'examples/nb201.nas'], { cwd: ROOT });
    const first = await new Promise<string>((resolve) => child.stdout.once('data', (b: Buffer) => resolve(b.toString())));
    expect(child.exitCode).toBeNull();
    child.kill();
    expect(first).toMatch(/^import "\.\/examples\/nb201"\n\n# sampled from space NB201 \(seed 0, #1\): /);
  });

  it('seeds are decimal integers from 0 to 2^32 - 1, nothing else', async () => {
    for (const seed of ['4294967296', '', '1e300', '-1', '0x10', '1.5']) {
      const r = await nasInProcess(['sample', '--seed', seed, 'examples/nb201.nas']);
      expect(r.code, JSON.stringify(seed)).toBe(2);
      expect(r.stderr).toBe(`nas: --seed needs an integer from 0 to 4,294,967,295, found ${JSON.stringify(seed)}\n`);
    }
    const top = await nasInProcess(['sample', '--seed', '4294967295', 'examples/nb201.nas']);
    expect(top.code).toBe(0);
    // 2^32 was reduced to seed 0: now the two seeds differ from each other.
    expect(top.stdout).not.toBe((await nasInProcess(['sample', '--seed', '0', 'examples/nb201.nas'])).stdout.replace('(seed 0,', '(seed 4294967295,'));
  });
});

describe('training inputs that exited 70 with raw Node errors', () => {
  it('--load of a directory, a CIFAR batch that is a directory, --widths too large: exit 2 with a sentence', async () => {
    const dir = tmpDir();
    const quick = ['train', '--epochs', '1', '--images', '20', '--no-progress'];
    const load = nas([...quick, '--load', dir]);
    expect(load.code).toBe(2);
    expect(load.stderr).toContain(`cannot load ${dir}: ${dir}: is a directory, expected a .safetensors file`);
    const batch = path.join(dir, 'cifar-10-batches-bin', 'data_batch_1.bin');
    fs.mkdirSync(batch, { recursive: true });
    const cifar = nas([...quick, '--data', `cifar10:${dir}`]);
    expect(cifar.code).toBe(2);
    expect(cifar.stderr).toContain(`${batch}: the cifar10 batch is a directory, not a file`);
    const widths = nas([...quick, '--widths', '100000,100000']);
    expect(widths.code).toBe(2);
    expect(widths.stderr).toMatch(/^nas: the sizes asked for need more memory than can be allocated \(.+\); choose smaller sizes$/m);
    for (const r of [load, cifar, widths]) expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
  });
});

describe('figures beyond 2^53', () => {
  it('are printed approximate and named in JSON, the exact value computed with BigInt as the reference', async () => {
    const f = write(tmpDir(), 'wide-fc.nas', 'network A {\n  input(94906265, 1, 1)\n  fc(94906267)\n}\n');
    const exact = 94906265n * 94906267n + 94906267n; // weights and biases
    expect(exact).toBe(9007199420969022n);
    const json = await nasInProcess(['cost', '--json', f]);
    expect(json.code).toBe(0);
    const [net] = JSON.parse(json.stdout);
    expect(net.approximate).toEqual(['params', 'macs']);
    // The double is not the exact count: that is why it is marked.
    expect(BigInt(net.params)).not.toBe(exact);
    expect(Math.abs(Number(BigInt(net.params) - exact))).toBeLessThanOrEqual(2);
    const human = await nasInProcess(['cost', f]);
    expect(human.stdout).toContain('params ≈9.00720e+15 (approximate)');
    expect(human.stdout).toContain('MACs ≈9.00720e+15 (approximate)   activations'); // no rounded SI figure beside it
    expect(human.stdout).not.toContain('9,007,199,420,969,024');
    // Below 2^53 nothing is marked.
    const [small] = JSON.parse((await nasInProcess(['cost', '--json', 'examples/resnet50.nas'])).stdout);
    expect(small.approximate).toBeUndefined();
  });
});

describe('values accepted without a check', () => {
  it('pad=-100, kh=-3, a pool stride of 0 are attribute-range errors; pad=-1 is "same"', async () => {
    // One network each: after a failed layer the rest of its sequence stays quiet.
    const net = (name: string, layer: string) => `network ${name} {\n  input(3, 8, 8)\n  ${layer}\n}\n`;
    const f = write(
      tmpDir(),
      'attrs.nas',
      net('A', 'conv(8, k=3, pad=-100)') + net('B', 'conv(8, k=3, kh=-3)') + net('C', 'maxpool(k=2, stride=0)') + net('D', 'conv(8, k=3, pad=-1)'),
    );
    const r = await nasInProcess(['check', f]);
    expect(r.code).toBe(1);
    expect(r.stdout.split('\n').filter(Boolean)).toEqual([
      `${f}:3:16: error attribute-range conv: \`pad\` must be an integer >= 0, or -1 for "same" padding; found -100 (input 3×8×8)`,
      `${f}:7:16: error attribute-range conv: \`kh\` must be an integer >= 1, or -1 for k; found -3 (input 3×8×8)`,
      `${f}:11:16: error attribute-range maxpool: \`stride\` must be an integer >= 1, or -1 for a stride of k; found 0 (input 3×8×8)`,
    ]);
  });

  it('a search block with a repeated objective, an unmeetable constraint and a repeated budget setting', async () => {
    const f = write(
      tmpDir(),
      'search.nas',
      [
        SPACE('conv(choice(8, 16), k=3)'),
        'search A {',
        '  space S',
        '  maximize accuracy',
        '  maximize accuracy',
        '  minimize macs',
        '  constraint macs <= -1',
        '  constraint params >= "abc"',
        '  budget(queries = 10, queries = 20)',
        '}',
        '',
      ].join('\n'),
    );
    const lines = (await nasInProcess(['check', f])).stdout;
    expect(lines).toContain(`${f}:9:12: error duplicate-objective \`accuracy\` is already an objective of search A: each metric is an objective once`);
    expect(lines).toContain(`${f}:11:22: error setting-value \`macs <= -1\` can never be met: \`macs\` is never negative`);
    expect(lines).toContain(`${f}:12:24: error setting-value a constraint compares with a constant number`);
    expect(lines).toContain(`${f}:13:24: error duplicate-attribute \`queries\` is given twice`);
  });
});

describe('messages and exit codes', () => {
  it('escapes control characters from the source and from import paths in human output; JSON keeps them', async () => {
    const f = write(tmpDir(), 'ctl.nas', 'import "\u001b[31mred"\nnetwork N {\u0000\n  input(3, 8, 8)\n}\n');
    const r = await nasInProcess(['check', f]);
    expect(r.code).toBe(1);
    // No control character but the newlines that end the lines.
    expect([...r.stdout].filter((c) => c < ' ' && c !== '\n')).toEqual([]);
    expect(r.stdout).toContain('cannot find imported file "\\x1b[31mred"');
    expect(r.stdout).toContain('\\x00');
    const json = JSON.parse((await nasInProcess(['check', '--json', f])).stdout) as Array<{ message: string }>;
    expect(json.some((d) => d.message.includes('\u001b[31mred'))).toBe(true);
  });

  it('a two-file import cycle is an error, and an imported file with syntax errors is reported at the import', async () => {
    const dir = tmpDir();
    const a = write(dir, 'a.nas', 'import "b"\nblock A(C: int) {\n  conv(C)\n}\n');
    write(dir, 'b.nas', 'import "a"\nblock B(C: int) {\n  conv(C)\n}\n');
    const cycle = await nasInProcess(['check', a]);
    expect(cycle.code).toBe(1);
    expect(cycle.stdout).toBe(
      `${a}:1:8: error import-cycle import cycle: a.nas → b.nas → a.nas; files may not import each other (move what both need into a third file)\n`,
    );
    write(dir, 'broken.nas', 'block S(C: int) {\n  conv(C,\n}\n');
    const user = write(dir, 'user.nas', 'import "broken"\nnetwork N {\n  input(3, 8, 8)\n  relu\n}\n');
    const r = await nasInProcess(['check', user]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe(
      `${user}:1:8: error import-has-errors imported file "broken" has 1 syntax error (the first at line 3, column 1): what it defines may be incomplete\n`,
    );
  });

  it('fuse and fmt never replace what is not a regular file; output errors are exit 2 with a sentence', async () => {
    const dir = tmpDir();
    const r = await nasInProcess(['fuse', 'examples/repvgg_a0.nas', '--out', '/dev/full', '--force']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('nas: --out /dev/full exists and is not a regular file (a device, FIFO or socket): refusing to replace it\n');
    expect(fs.statSync('/dev/full').isCharacterDevice()).toBe(true);
    // fmt --write keeps the file's mode and leaves no temporary file behind.
    const f = write(dir, 'messy.nas', 'network A{\n input(3,8,8)\n}\n');
    fs.chmodSync(f, 0o640);
    expect((await nasInProcess(['fmt', '--write', f])).code).toBe(0);
    expect(fs.readFileSync(f, 'utf8')).toBe('network A {\n  input(3, 8, 8)\n}\n');
    expect(fs.statSync(f).mode & 0o777).toBe(0o640);
    expect(fs.readdirSync(dir)).toEqual(['messy.nas']);
  });
});

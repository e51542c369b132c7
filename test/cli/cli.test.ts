/**
 * The `nas` CLI as users and CI run it: the bundle that npm test builds, checked on exit codes,
 * human and JSON output. The exit codes 0, 1 and 2, the code cache and which bundles load are
 * checked through bin/nas.cjs in a child process; the other cases call the same bundle's
 * `runCli` in this process (test/helpers/cli.ts).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, ROOT, nas, nasInProcess, tempFolder } from '../helpers/cli.js';

function tmpFile(name: string, text: string): string {
  const dir = tempFolder();
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

describe('nas check', () => {
  it('exits 0 and prints nothing for a valid file (bin/nas.cjs in a child process)', () => {
    const r = nas(['check', 'examples/resnet50.nas']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('');
    expect(r.code).toBe(0);
  });

  it('prints file:line:col: severity code message and exits 1 on errors (bin/nas.cjs in a child process)', () => {
    const f = tmpFile('bad.nas', 'network A {\n  input(3, 8, 8)\n  conv(8, k=3, groups=2)\n  rleu\n}\n');
    const r = nas(['check', f]);
    expect(r.code).toBe(1);
    // In reading order (line, then column), not in the order the checks ran.
    expect(r.stdout.trim().split('\n')).toEqual([
      `${f}:3:16: error groups-divisibility conv: input channels 3 are not divisible by groups 2 (input 3×8×8)`,
      `${f}:4:3: error unknown-name unknown name \`rleu\`; did you mean \`relu\`?`,
    ]);
  });

  it('sorts the diagnostics of several files by file, line and column', async () => {
    const dir = tempFolder('nas-cli-');
    const write = (name: string, text: string) => (fs.writeFileSync(path.join(dir, name), text), name);
    const b = write('b.nas', 'network B {\n  input(3, 8, 8)\n  conv(8, k=3, groups=2)\n  rleu\n}\n');
    const a = write('a.nas', 'network A {\n  input(3, 8, 8)\n  relu\n  sigmoidd\n}\n');
    const r = await nasInProcess(['check', b, a], dir);
    expect(r.code).toBe(1);
    expect(
      r.stdout
        .trim()
        .split('\n')
        .map((l) => l.split(' ')[0]),
    ).toEqual(['a.nas:4:3:', 'b.nas:3:16:', 'b.nas:4:3:']);
    const json = JSON.parse((await nasInProcess(['check', '--json', b, a], dir)).stdout) as { file: string; range: { start: { line: number } } }[];
    expect(json.map((d) => `${d.file}:${d.range.start.line}`)).toEqual(['a.nas:3', 'b.nas:2', 'b.nas:3']);
  });

  it('points at an unclosed bracket, not only at the token where the parser gave up', async () => {
    const f = tmpFile('unclosed.nas', 'network A {\n  input(3, 8, 8)\n  x = add(conv(8, k=3), relu # add( is not closed\n  fc(10)\n}\n');
    const r = await nasInProcess(['check', f]);
    expect(r.code).toBe(1);
    expect(r.stdout.trim().split('\n')).toEqual([
      `${f}:4:3: error syntax expected \`)\`, found \`fc\`: the \`(\` on line 3, column 10 is not closed`,
      `  ${f}:3:10: note: the unclosed \`(\``,
    ]);
    // A missing comma inside brackets that are closed is not blamed on a bracket.
    const g = tmpFile('comma.nas', 'network A {\n  input(3, 8, 8)\n  conv(8 k=3)\n}\n');
    expect((await nasInProcess(['check', g])).stdout).not.toContain('not closed');
  });

  it('reports an error inside an imported file at its use, and prints both places', async () => {
    const dir = tempFolder('nas-cli-');
    const lib = [
      '# a library',
      '',
      'block Bad(C: int) {',
      '  input x',
      '  y = x -> conv(C, k=3, strid=2)',
      '  output y',
      '}',
      '',
      'block Sp(C: int) {',
      '  input x',
      '  conv(choice(C, 2*C), k=3)',
      '}',
      '',
    ];
    fs.writeFileSync(path.join(dir, 'lib.nas'), lib.join('\n'));
    fs.writeFileSync(path.join(dir, 'main.nas'), 'import "lib"\nnetwork N {\n  input(3, 8, 8)\n  Bad(8)\n  Sp(4)\n  gap -> fc(10)\n}\n');
    const r = await nasInProcess(['check', 'main.nas'], dir);
    expect(r.code).toBe(1);
    // The checked file's own lines (a 7-line file), each with a note at the place in lib.nas.
    expect(r.stdout.trim().split('\n')).toEqual([
      'main.nas:4:3: error unknown-attribute in block Bad (lib.nas): conv has no attribute `strid`; did you mean `stride`? (expected one of: out, k, stride, pad, dilation, groups, bias, kh, kw)',
      '  lib.nas:5:25: note: the error is here, in block Bad',
      'main.nas:5:3: error choice-in-network network N contains 1 choice; declare it as `space` to make a search space (the first in block Sp (lib.nas))',
      '  lib.nas:11:8: note: the choice, in block Sp',
    ]);
    const [first] = JSON.parse((await nasInProcess(['check', '--json', 'main.nas'], dir)).stdout) as { file: string; related: unknown[] }[];
    expect(first!.file).toBe('main.nas');
    expect(first!.related).toEqual([
      { file: 'lib.nas', range: { start: { line: 4, character: 24 }, end: { line: 4, character: 29 } }, message: 'the error is here, in block Bad' },
    ]);
  });

  it('--json gives LSP-style 0-based ranges', async () => {
    const f = tmpFile('bad.nas', 'network A {\n  input(3, 8, 8)\n  rleu\n}\n');
    const r = await nasInProcess(['check', '--json', f]);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toEqual([
      {
        file: f,
        range: { start: { line: 2, character: 2 }, end: { line: 2, character: 6 } },
        severity: 'error',
        code: 'unknown-name',
        message: 'unknown name `rleu`; did you mean `relu`?',
      },
    ]);
  });

  it('reports over-deep nesting as one syntax error at its place and checks the rest', async () => {
    const deep = `network N {\n  input(3, 8, 8)\n  x = ${'('.repeat(10_000)}1${')'.repeat(10_000)}\n}\nnetwork M {\n  input(3, 8, 8)\n  rleu\n}\n`;
    const f = tmpFile('deep.nas', deep);
    const r = await nasInProcess(['check', f]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`${f}:3:39: error syntax expressions nested deeper than 32 levels of brackets are not supported`);
    // The guard applies per top-level chunk: the next network is still checked.
    expect(r.stdout).toMatch(/:7:3: error unknown-name unknown name `rleu`/);
  });

  it('reports long operator chains and deeply nested ifs as syntax errors, not a crash or a minute of recovery', async () => {
    // Each `not`, `-` or open `if` is a level of recursion in the parser, like a bracket:
    // thousands of them used to overflow the stack and end the check with "cannot read".
    const text = [
      `let a = ${'not '.repeat(5_000)}true`,
      `let b = ${'- not '.repeat(2_000)}1`,
      `let c = ${'if true then '.repeat(3_000)}1${' else 2'.repeat(3_000)}`,
      `let e = ${Array.from({ length: 20_000 }, () => '1').join(' + ')}`,
      // Without its `*/`, `/*` is no comment to the lexer: the chain after it still counts.
      `let g = 1 /* ${' + 1'.repeat(6_000)}`,
      'let d = if true then not not -1 else - - 2',
      'network M {\n  input(3, 8, 8)\n  rleu\n}',
      '',
    ].join('\n');
    const f = tmpFile('deep-prefix.nas', text);
    const r = await nasInProcess(['check', f]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain(`${f}:1:521: error syntax more than 128 operators in a row are not supported`);
    expect(r.stdout).toMatch(/:2:\d+: error syntax more than 128 operators in a row are not supported/);
    expect(r.stdout).toMatch(/:3:\d+: error syntax `if` expressions nested deeper than 32 levels are not supported/);
    // A 20,000-term sum overflowed the stack and took Langium's parser 48 s to recover from.
    expect(r.stdout).toContain(`${f}:4:4011: error syntax expressions of more than 1000 operators are not supported`);
    expect(r.stdout).toMatch(/:5:\d+: error syntax expressions of more than 1000 operators are not supported/);
    // Short chains are fine, and the rest of the file is still checked.
    expect(r.stdout).not.toMatch(/:6:\d+:/);
    expect(r.stdout).toMatch(/:9:3: error unknown-name unknown name `rleu`/);
  });

  it('stops an elaboration that grows without bound once, at the graph limit, at the call site', async () => {
    // `* 21e9` from the fuzz test: the graph limit used to be hit again on each of 21e9
    // repeats (caught per statement), so the check never ended.
    const text = [
      'import "std/blocks"',
      'network R {',
      '  input(3, 8, 8)',
      '  relu * 21e9',
      '}',
      'network B {',
      '  input(64, 8, 8)',
      '  Bottleneck(16) * 21e9',
      '}',
      'network M {',
      '  input(3, 8, 8)',
      '  rleu',
      '}',
      '',
    ].join('\n');
    const f = tmpFile('huge-repeat.nas', text);
    const r = await nasInProcess(['check', f]);
    expect(r.code).toBe(1);
    expect(r.stdout.split('\n').filter(Boolean)).toEqual([
      `${f}:4:3: error too-large the network has more than 100,000 nodes`,
      // Reported at the call site in this file, not inside std/blocks.
      `${f}:8:3: error too-large the network has more than 100,000 nodes`,
      `${f}:12:3: error unknown-name unknown name \`rleu\`; did you mean \`relu\`?`,
    ]);
  });

  it('exits 2 with one line, no stack trace, for a missing file or a bad flag (bin/nas.cjs in a child process)', async () => {
    const missing = nas(['check', 'no/such/file.nas']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe('nas: cannot read no/such/file.nas: no such file\n');
    const flag = await nasInProcess(['check', '--frobnicate', 'examples/resnet50.nas']);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain("unknown option '--frobnicate'");
    expect(flag.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('nas cost', () => {
  it('reports a fixed network as JSON numbers (ResNet-50, torchvision)', async () => {
    const r = await nasInProcess(['cost', '--json', 'examples/resnet50.nas']);
    expect(r.code).toBe(0);
    const [net] = JSON.parse(r.stdout);
    expect(net).toMatchObject({ name: 'ResNet50', kind: 'network', input: [3, 224, 224], output: [1000, 1, 1], params: 25557032 });
    expect(net.macs / 1e9).toBeCloseTo(4.089, 3);
    expect(typeof net.activations).toBe('number');
  });

  it('--per-layer lists primitive ops whose costs add up to the totals', async () => {
    const r = await nasInProcess(['cost', '--json', '--per-layer', 'examples/mobilenet_v2.nas']);
    const [net] = JSON.parse(r.stdout);
    expect(net.layers.length).toBeGreaterThan(100);
    expect(net.layers.reduce((s: number, l: { params: number }) => s + l.params, 0)).toBe(net.params);
    expect(net.layers.reduce((s: number, l: { macs: number }) => s + l.macs, 0)).toBe(net.macs);
    expect(net.layers[0]).toEqual({ name: expect.any(String), op: 'conv', output: [32, 112, 112], params: 864, macs: 10838016 });
  });

  it('reports a space with its exact size as a decimal string', async () => {
    const r = await nasInProcess(['cost', '--json', 'examples/nb201.nas']);
    expect(r.code).toBe(0);
    const [space] = JSON.parse(r.stdout);
    expect(space).toMatchObject({ name: 'NB201', kind: 'space', size: '15625', minParams: 73306, maxParams: 1531546, exact: true });
  });

  it('counts the decisions of a space as `choices`, whatever the order of the options', async () => {
    // A depth choice: each repeat of B brings its own width choice. 1 depth + 2 widths + 1 fc = 4
    // decisions either way round (the first-options architecture alone has 3 or 4); size
    // 2·(2 + 4) = 12. The larger space is past enumeration: 1 depth + 5 widths = 6.
    const small = (depth: string) =>
      `block B {\n  input x\n  conv(choice(8, 16), k=3)\n}\nspace S {\n  input(3, 8, 8)\n  B * ${depth}\n  gap -> fc(choice(10, 20))\n}\n`;
    const large = (depth: string) =>
      `block B {\n  input x\n  conv(choice(8, 16, 24, 32, 40, 48, 56, 64), k=3)\n}\nspace S {\n  input(3, 8, 8)\n  B * ${depth}\n}\n`;
    const cost = async (text: string) =>
      JSON.parse((await nasInProcess(['cost', '--json', tmpFile('s.nas', text)])).stdout)[0] as { size: string; choices: number };
    for (const depth of ['choice(1, 2)', 'choice(2, 1)']) expect(await cost(small(depth))).toMatchObject({ size: '12', choices: 4 });
    for (const depth of ['choice(1, 2, 3, 4, 5)', 'choice(5, 4, 3, 2, 1)'])
      expect(await cost(large(depth))).toMatchObject({ size: String(8 + 8 ** 2 + 8 ** 3 + 8 ** 4 + 8 ** 5), choices: 6 });
  });

  it('exits 1 with the diagnostics on stderr when the file has errors', async () => {
    const f = tmpFile('bad.nas', 'network A {\n  input(3, 8, 8)\n  conv(8, k=0)\n}\n');
    const r = await nasInProcess(['cost', f]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('attribute-range');
  });

  it('exits 2 naming the available networks when --network is wrong', async () => {
    const r = await nasInProcess(['cost', '--network', 'ResNet51', 'examples/resnet50.nas']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('nas: no network or space named ResNet51 (the file has: ResNet50)\n');
  });
});

describe('nas sample', () => {
  it('prints seeded, reproducible architectures that check clean and cost what they say', async () => {
    const a = await nasInProcess(['sample', '--seed', '3', '--count', '2', '--json', 'examples/nb201.nas']);
    const b = await nasInProcess(['sample', '--seed', '3', '--count', '2', '--json', 'examples/nb201.nas']);
    expect(a.code).toBe(0);
    expect(a.stdout).toBe(b.stdout);
    const samples = JSON.parse(a.stdout) as Array<{ id: string; params: number; macs: number; text: string }>;
    expect(samples).toHaveLength(2);
    expect(samples[0]!.id).not.toBe(samples[1]!.id);
    for (const s of samples) {
      const f = tmpFile('arch.nas', s.text);
      expect((await nasInProcess(['check', f])).code).toBe(0);
      const [net] = JSON.parse((await nasInProcess(['cost', '--json', f])).stdout);
      expect([net.params, net.macs]).toEqual([s.params, s.macs]);
    }
  });

  it('prints each architecture readably in a few lines, in a text that checks where it is written; --flat the primitive ops', async () => {
    const dir = tempFolder('nas-sample-');
    const r = await nasInProcess(['sample', '--count', '3', path.join(ROOT, 'examples/nb201.nas')], dir);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(`import "${path.relative(dir, path.join(ROOT, 'examples/nb201')).split(path.sep).join('/')}"`);
    expect(lines.length).toBeLessThan(40);
    expect(r.stdout.match(/^network NB201_\w+ = NB201 with \{$/gm)).toHaveLength(3);
    expect(r.stdout).toMatch(/^ {4}n3 = \((none|skip_connect|nor_conv_1x1|nor_conv_3x3|avg_pool_3x3), n0\), \(\w+, n1\), \(\w+, n2\)$/m);
    fs.writeFileSync(path.join(dir, 'sampled.nas'), r.stdout);
    const cost = JSON.parse((await nasInProcess(['cost', '--json', 'sampled.nas'], dir)).stdout) as Array<{ params: number; macs: number }>;
    const json = JSON.parse((await nasInProcess(['sample', '--count', '3', '--json', 'examples/nb201.nas'])).stdout) as Array<{
      params: number;
      macs: number;
      arch: string;
    }>;
    expect(cost.map((c) => [c.params, c.macs])).toEqual(json.map((s) => [s.params, s.macs]));
    expect(json[0]!.arch).toMatch(/^\|\w+~0\|\+\|/);
    const flat = await nasInProcess(['sample', '--count', '1', '--flat', 'examples/nb201.nas']);
    expect(flat.code).toBe(0);
    expect(flat.stdout).toMatch(/^network NB201_\w+ \{$/m);
    expect(flat.stdout.split('\n').length).toBeGreaterThan(100);
  });

  it('rejects a bad --count with exit 2', async () => {
    const r = await nasInProcess(['sample', '--count', 'zero', 'examples/nb201.nas']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('nas: --count needs an integer from 1 to 100,000, found "zero"\n');
  });

  it('--arch prints the architecture a search trial recorded: same id, params and MACs', async () => {
    const recorded = fs.readFileSync(path.join(ROOT, 'test/extension/fixtures/nb201-pareto-40.ndjson'), 'utf8').split('\n');
    const trials = recorded
      .filter((l) => l.includes('"event":"trial"'))
      .map((l) => JSON.parse(l) as { id: string; encoding: string; metrics: Record<string, number> });
    for (const t of [trials[0]!, trials[trials.length - 1]!]) {
      const r = await nasInProcess(['sample', '--json', '--arch', t.encoding, 'examples/nb201.nas']);
      expect(r.code).toBe(0);
      const [s] = JSON.parse(r.stdout) as Array<{ id: string; encoding: string; params: number; macs: number; text: string }>;
      expect([s!.id, s!.encoding, s!.params, s!.macs]).toEqual([t.id, t.encoding, t.metrics['params'], t.metrics['macs']]);
      const [net] = JSON.parse((await nasInProcess(['cost', '--json', tmpFile('arch.nas', s!.text)])).stdout);
      expect([net.params, net.macs]).toEqual([t.metrics['params'], t.metrics['macs']]);
    }
    expect((await nasInProcess(['sample', '--arch', 'nonsense', 'examples/nb201.nas'])).code).toBe(2);
  });
});

describe('nas fmt', () => {
  it('keeps the examples in canonical form, and formatting is idempotent', async () => {
    const examples = fs
      .readdirSync(path.join(ROOT, 'examples'))
      .filter((f) => f.endsWith('.nas'))
      .map((f) => `examples/${f}`);
    const r = await nasInProcess(['fmt', '--check', ...examples]);
    expect(r.stdout).toBe('');
    expect(r.code).toBe(0);
  });

  it('prints the canonical form and leaves a file with syntax errors alone (exit 1)', async () => {
    const f = tmpFile('messy.nas', 'network A{\n      input( 3,8 , 8 )\n   conv(8,k=3)->bn   # stem\n\n\n\n  relu\n}\n');
    const r = await nasInProcess(['fmt', f]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('network A {\n  input(3, 8, 8)\n  conv(8, k=3) -> bn  # stem\n\n  relu\n}\n');
    const bad = tmpFile('bad.nas', 'network A {\n  conv(8,\n}\n');
    const b = await nasInProcess(['fmt', '--write', bad]);
    expect(b.code).toBe(1);
    expect(fs.readFileSync(bad, 'utf8')).toBe('network A {\n  conv(8,\n}\n');
  });
});

describe('the training commands load their own bundle', () => {
  it('nas check runs without loading the training engine; nas train and nas bench train load it and run', async () => {
    // The same entry point as bin/nas.cjs, reporting which bundles were loaded by the end.
    const probe = (args: string[]) =>
      spawnSync(
        process.execPath,
        [
          '-e',
          `const cli = require(${JSON.stringify(path.join(ROOT, 'dist/cli.cjs'))});
           cli.runCli(${JSON.stringify(args)}).then((code) => {
             const loaded = Object.keys(require.cache).filter((k) => k.includes('cli-train'));
             process.stderr.write('\\nLOADED ' + JSON.stringify(loaded.length) + ' EXIT ' + code + '\\n');
           });`,
        ],
        { cwd: ROOT, encoding: 'utf8', timeout: 120_000 },
      );
    const check = probe(['check', 'examples/resnet50.nas']);
    expect(check.stderr).toContain('LOADED 0 EXIT 0');
    const train = probe(['train', '--epochs', '1', '--images', '100', '--no-progress', '--json']);
    expect(train.stderr).toContain('LOADED 1 EXIT 0');
    const events = train.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { event: string; epoch: number; trainLoss: number });
    expect(events.at(-1)!.event).toBe('done');
    const epoch = events.find((e) => e.event === 'epoch')!;
    expect(epoch.epoch).toBe(1);
    expect(Number.isFinite(epoch.trainLoss)).toBe(true);
    const bench = probe(['bench', 'train', '--steps', '1', '--batch', '4', '--json']);
    expect(bench.stderr).toContain('LOADED 1 EXIT 0');
    expect((JSON.parse(bench.stdout.trim()) as { net: string }).net).toBe('small');
  });
});

describe('the code cache of bin/nas.cjs', () => {
  it('is written by the first run and used by the next; a damaged one is replaced; the output is the same each time', () => {
    const cacheHome = tempFolder('nas-code-cache-');
    const run = () =>
      spawnSync(process.execPath, [BIN, 'cost', '--json', 'examples/nb201.nas'], {
        cwd: ROOT,
        env: { ...process.env, XDG_CACHE_HOME: cacheHome, NAS_NO_CODE_CACHE: '' },
        encoding: 'utf8',
        timeout: 120_000,
      });
    const folder = path.join(cacheHome, 'nas-studio');
    const first = run();
    expect(first.status).toBe(0);
    const files = fs.readdirSync(folder).filter((f) => f.endsWith('.v8cache'));
    expect(files).toHaveLength(1);
    const cache = path.join(folder, files[0]!);
    const written = fs.statSync(cache).mtimeMs;
    const second = run();
    expect(second.status).toBe(0);
    expect(second.stdout).toBe(first.stdout);
    // Accepted by V8, so not written again.
    expect(fs.statSync(cache).mtimeMs).toBe(written);
    fs.writeFileSync(cache, Buffer.alloc(4096, 7));
    const third = run();
    expect(third.status).toBe(0);
    expect(third.stderr).toBe('');
    expect(third.stdout).toBe(first.stdout);
    expect(fs.statSync(cache).size).toBeGreaterThan(4096);
  });
});

/** `nas graph` as users run it: the bundled CLI (its `runCli`, test/helpers/cli.ts), its files, messages and exit codes. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { nasInProcess } from '../helpers/cli.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nas-graph-'));

describe('nas graph', () => {
  it('writes the collapsed network view of ResNet-50 as SVG', async () => {
    const out = path.join(dir, 'r50.svg');
    const r = await nasInProcess(['graph', 'examples/resnet50.nas', '--out', out]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`wrote ${out}: network ResNet50 (14 boxes, 13 edges)\n`);
    const svg = fs.readFileSync(out, 'utf8');
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg).toContain('Bottleneck(256) ×5');
    expect(svg).not.toContain('var(');
  });

  it('writes a PNG, expanded, in the dark theme', async () => {
    const out = path.join(dir, 'r50.png');
    const r = await nasInProcess(['graph', 'examples/resnet50.nas', '--expand', 'all', '--theme', 'dark', '--scale', '1', '--out', out]);
    expect(r.code).toBe(0);
    const png = fs.readFileSync(out);
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    // IHDR: width and height, big-endian, at bytes 16 and 20.
    expect(png.readUInt32BE(20)).toBeGreaterThan(5000);
    expect(r.stdout).toContain('(195 boxes, 190 edges)');
  });

  it('draws a cell of a sampled architecture with its options', async () => {
    const out = path.join(dir, 'cell.svg');
    const r = await nasInProcess(['graph', 'examples/darts_space.nas', '--cell', 'NormalCell', '--seed', '3', '--options', '--out', out]);
    expect(r.code).toBe(0);
    const svg = fs.readFileSync(out, 'utf8');
    expect(svg).toContain('cell NormalCell(16)');
    expect(svg.match(/>dil_conv_5x5<\/text>/g)!.length).toBe(8);
    expect(svg).toContain('class="on"');
  });

  it('draws the architecture --arch gives', async () => {
    const out = path.join(dir, 'nb201.svg');
    const sample = await nasInProcess(['sample', 'examples/nb201.nas', '--seed', '5', '--json']);
    const { encoding } = (JSON.parse(sample.stdout) as Array<{ encoding: string }>)[0]!;
    const r = await nasInProcess(['graph', 'examples/nb201.nas', '--cell', 'NB201Cell', '--arch', encoding, '--out', out]);
    expect(r.code).toBe(0);
    expect(fs.readFileSync(out, 'utf8')).toContain('cell NB201Cell(16)');
  });

  it('draws two architectures of a space side by side, what differs marked', async () => {
    const out = path.join(dir, 'compare.svg');
    const sample = await nasInProcess(['sample', 'examples/nb201.nas', '--seed', '7', '--json']);
    const { encoding } = (JSON.parse(sample.stdout) as Array<{ encoding: string }>)[0]!;
    const r = await nasInProcess(['graph', 'examples/nb201.nas', '--cell', 'NB201Cell', '--compare', encoding, '--out', out]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const svg = fs.readFileSync(out, 'utf8');
    expect(svg).toContain('>first options</text>');
    expect(svg).toContain('>--compare</text>');
    expect(svg).toMatch(/class="nas-edge [^"]*diff/);
  });

  it('says what is wrong, with exit code 2, for bad flags', async () => {
    const out = path.join(dir, 'x.svg');
    const cases: Array<[string[], string]> = [
      [['examples/resnet50.nas', '--out', path.join(dir, 'x.jpg')], `nas: --out must end in .svg or .png, found ${path.join(dir, 'x.jpg')}\n`],
      [['examples/resnet50.nas', '--cell', 'Nope', '--out', out], 'nas: network ResNet50 has no instance of Nope (its blocks and cells: Bottleneck)\n'],
      [['examples/resnet50.nas', '--seed', '1', '--out', out], 'nas: ResNet50 is a network: it has no choices for --arch or --seed\n'],
      [
        ['examples/nb201.nas', '--arch', 'oops', '--out', out],
        "nas: --arch: expected key=option pairs separated by ';' (as nas sample prints), found 'oops'\n",
      ],
      [['examples/nb201.nas', '--network', 'Nope', '--out', out], 'nas: no network or space named Nope (the file has: NB201)\n'],
      [['examples/missing.nas', '--out', out], 'nas: cannot read examples/missing.nas: no such file\n'],
      [['examples/nb201.nas', '--arch', 'a=1', '--seed', '2', '--out', out], 'nas: give --arch or --seed, not both\n'],
    ];
    for (const [args, message] of cases) {
      const r = await nasInProcess(['graph', ...args]);
      expect(r.stderr).toBe(message);
      expect(r.code).toBe(2);
    }
    const unknownKey = await nasInProcess(['graph', 'examples/nb201.nas', '--arch', 'Nope@1:1=0', '--out', out]);
    expect(unknownKey.stderr).toMatch(/^nas: --arch: Nope@1:1 is not a choice of NB201 \(its choices are keyed like NB201Op@/);
    expect(unknownKey.code).toBe(2);
    expect(fs.existsSync(out)).toBe(false);
  });

  it('prints the diagnostics and exits 1 when the file has errors', async () => {
    const bad = path.join(dir, 'bad.nas');
    fs.writeFileSync(bad, 'network A {\n  input(3, 8, 8)\n  rleu\n}\n');
    const r = await nasInProcess(['graph', bad, '--out', path.join(dir, 'bad.svg')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`${bad}:3:3: error unknown-name unknown name \`rleu\`; did you mean \`relu\`?\n`);
    expect(fs.existsSync(path.join(dir, 'bad.svg'))).toBe(false);
  });
});

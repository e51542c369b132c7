/**
 * `nas graph` on the inputs of issue 20: an output that is not a regular file, a folder that
 * does not exist, a dangling link, a seed out of range, and a network too large to lay out
 * (elkjs overflowed its stack on 50,000 boxes after a minute and a gigabyte). The bundled
 * `nas` (its `runCli`, test/helpers/cli.ts); bounds stated as sizes, not time.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAX_GRAPH_BOXES } from '../../src/cli/commands/graph-run.js';
import { nasInProcess, tempFolder } from '../helpers/cli.js';

const NET = 'network N {\n  input(3, 8, 8)\n  conv(8, k=3) -> relu\n}\n';

describe('nas graph on bad output paths', () => {
  it('refuses, before drawing, what it cannot write or must not replace; exit 2 with a sentence, nothing left behind', async () => {
    const dir = tempFolder('nas-graph-bad-');
    const file = path.join(dir, 'net.nas');
    fs.writeFileSync(file, NET);
    fs.mkdirSync(path.join(dir, 'folder.svg'));
    expect(spawnSync('mkfifo', [path.join(dir, 'pipe.svg')]).status).toBe(0);
    fs.symlinkSync('/dev/full', path.join(dir, 'full.svg'));
    const before = fs.readdirSync(dir).sort();
    const cases: Array<[string, string]> = [
      ['folder.svg', 'nas: --out folder.svg is a directory, expected a file\n'],
      ['pipe.svg', 'nas: --out pipe.svg exists and is not a regular file (a device, FIFO or socket): refusing to replace it\n'],
      ['full.svg', 'nas: --out full.svg exists and is not a regular file (a device, FIFO or socket): refusing to replace it\n'],
      ['missing/net.svg', 'nas: cannot write --out missing/net.svg: the folder missing does not exist\n'],
      ['folder.svg/', 'nas: --out folder.svg/ names a folder, expected a file\n'],
    ];
    for (const [out, message] of cases) {
      const r = await nasInProcess(['graph', 'net.nas', '--out', out], dir);
      expect(r.code, out).toBe(2);
      expect(r.stderr, out).toBe(message);
      expect(fs.readdirSync(dir).sort()).toEqual(before);
    }
    expect(fs.lstatSync(path.join(dir, 'full.svg')).isSymbolicLink()).toBe(true);
    expect(fs.lstatSync(path.join(dir, 'pipe.svg')).isFIFO()).toBe(true);
  });

  it('writes through a link, also one to a file not yet there, and keeps the link', async () => {
    const dir = tempFolder('nas-graph-link-');
    fs.writeFileSync(path.join(dir, 'net.nas'), NET);
    fs.symlinkSync('picture.svg', path.join(dir, 'link.svg'));
    const r = await nasInProcess(['graph', 'net.nas', '--out', 'link.svg'], dir);
    expect(r.code).toBe(0);
    expect(fs.lstatSync(path.join(dir, 'link.svg')).isSymbolicLink()).toBe(true);
    expect(fs.readFileSync(path.join(dir, 'picture.svg'), 'utf8')).toMatch(/^<svg /);
    expect(fs.readdirSync(dir).sort()).toEqual(['link.svg', 'net.nas', 'picture.svg']);
  });

  it('takes seeds from 0 to 2^32 - 1 in decimal only', async () => {
    for (const seed of ['4294967296', '1e300', '', '0x10']) {
      const r = await nasInProcess(['graph', 'examples/nb201.nas', '--seed', seed, '--out', path.join(tempFolder('nas-graph-seed-'), 'a.svg')]);
      expect(r.code, seed).toBe(2);
      expect(r.stderr).toBe(`nas: --seed needs an integer from 0 to 4,294,967,295, found ${JSON.stringify(seed)}\n`);
    }
  });
});

describe('nas graph on a network too large to lay out', () => {
  it(`stops at ${MAX_GRAPH_BOXES.toLocaleString('en-US')} boxes with exit 1 and a sentence, writing nothing`, async () => {
    const dir = tempFolder('nas-graph-big-');
    const layers = MAX_GRAPH_BOXES; // with the input box: one more than the limit
    fs.writeFileSync(path.join(dir, 'long.nas'), `network Long {\n  input(3, 8, 8)\n${'  relu\n'.repeat(layers)}}\n`);
    const r = await nasInProcess(['graph', 'long.nas', '--out', 'long.svg'], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      `long.nas: network Long has ${(layers + 1).toLocaleString('en-US')} boxes, more than the ${MAX_GRAPH_BOXES.toLocaleString('en-US')} nas graph lays out: draw a cell (--cell) or leave blocks collapsed\n`,
    );
    expect(fs.readdirSync(dir)).toEqual(['long.nas']);
  });
});

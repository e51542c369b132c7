/**
 * The special files of issue 20 as a generator: a `.nas` path (the file a command is given, or
 * one it imports) that is a FIFO, a link to /dev/zero or /dev/null, a directory, a file over
 * the size limit, a dangling link, or a plain file. Every command must end with exit code 0, 1
 * or 2, no stack trace and no internal error; a special file given on the command line is a
 * usage error naming it, an imported one an error at its import. `test/cli/special-files.test.ts`
 * runs a few combinations, `special-files.slow.test.ts` many.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { expect } from 'vitest';
import { MAX_SOURCE_BYTES } from '../../src/core/source-files.js';
import { nas, tempFolder } from './cli.js';

export const SPECIAL_KINDS = ['fifo', 'zero-link', 'null-link', 'directory', 'oversize', 'dangling-link', 'fifo-link', 'regular'] as const;
export type FileKind = (typeof SPECIAL_KINDS)[number];

const NETWORK = 'block Imported(C: int) {\n  conv(C, k=3)\n}\n';

/** Makes `file` of the given kind (its parent exists). */
export function makeFile(file: string, kind: FileKind, text = NETWORK): void {
  switch (kind) {
    case 'fifo':
      expect(spawnSync('mkfifo', [file]).status).toBe(0);
      return;
    case 'zero-link':
      fs.symlinkSync('/dev/zero', file);
      return;
    case 'null-link':
      fs.symlinkSync('/dev/null', file);
      return;
    case 'directory':
      fs.mkdirSync(file);
      return;
    case 'oversize':
      fs.writeFileSync(file, `${text}${'#'.repeat(MAX_SOURCE_BYTES)}\n`);
      return;
    case 'dangling-link':
      fs.symlinkSync(path.join(path.dirname(file), 'no-such-target.nas'), file);
      return;
    case 'fifo-link': {
      const target = `${file}.pipe`;
      expect(spawnSync('mkfifo', [target]).status).toBe(0);
      fs.symlinkSync(target, file);
      return;
    }
    case 'regular':
      fs.writeFileSync(file, text);
      return;
  }
}

const COMMANDS = [['check'], ['check', '--json'], ['cost'], ['sample'], ['fmt']] as const;

export const specialCase = fc.record({
  main: fc.constantFrom(...SPECIAL_KINDS),
  imports: fc.array(fc.constantFrom(...SPECIAL_KINDS), { minLength: 0, maxLength: 2 }),
  command: fc.constantFrom(...COMMANDS),
});

export type SpecialCase = typeof specialCase extends fc.Arbitrary<infer T> ? T : never;

/** Runs one case in a fresh folder and checks what the command did. */
export function checkSpecialCase(c: SpecialCase): void {
  const dir = tempFolder('nas-special-');
  const imports = c.imports.map((kind, i) => {
    makeFile(path.join(dir, `dep${i}.nas`), kind);
    return `import "dep${i}"\n`;
  });
  const main = path.join(dir, 'main.nas');
  makeFile(main, c.main, `${imports.join('')}space S {\n  input(3, 8, 8)\n  conv(choice(8, 16), k=3)\n}\n`);
  // A hang (what a FIFO caused) ends at the helper's guard with code null.
  const r = nas([...c.command, main], dir);
  const what = `${JSON.stringify(c)}\nstdout: ${r.stdout.slice(0, 500)}\nstderr: ${r.stderr.slice(0, 500)}`;
  expect(r.code, what).not.toBeNull();
  expect([0, 1, 2], what).toContain(r.code);
  expect(r.stderr, what).not.toMatch(/\n\s+at |internal error/);
  if (c.main !== 'regular') {
    expect(r.code, what).toBe(2);
    expect(r.stderr, what).toMatch(/^nas: cannot read /);
    return;
  }
  const unreadable = c.imports.filter((k) => k !== 'regular' && k !== 'dangling-link').length;
  const missing = c.imports.filter((k) => k === 'dangling-link').length;
  if (c.command[0] === 'check') {
    const out = r.stdout;
    expect(out.split('import-unreadable').length - 1, what).toBe(unreadable);
    expect(out.split('import-not-found').length - 1, what).toBe(missing);
    expect(r.code, what).toBe(unreadable + missing > 0 ? 1 : 0);
  }
}

/**
 * Where a new run goes: the `nas.search.runsFolder` setting (relative to the .nas file's
 * folder, `nas-runs` by default, so that one `.gitignore` line keeps runs out of version
 * control) and the `nas.search.runName` template. A run never overwrites another: the first
 * free number fills `${n}`, or is appended when the template has none.
 */
import * as path from 'node:path';

export const DEFAULT_RUNS_FOLDER = 'nas-runs';
export const DEFAULT_RUN_NAME = '${search}-${n}';

export interface RunPlace {
  /** The searched .nas file, an absolute path. */
  file: string;
  search: string;
  /** `nas.search.runsFolder`: absolute, or relative to the file's folder. */
  folder?: string;
  /** `nas.search.runName`: `${search}`, `${file}`, `${date}`, `${time}`, `${n}`. */
  template?: string;
  now: Date;
  /** Whether a path exists already. */
  exists(p: string): boolean;
}

export class RunNameError extends Error {}

export function runDirectory(o: RunPlace): string {
  const folder = (o.folder ?? '').trim() || DEFAULT_RUNS_FOLDER;
  const root = path.resolve(path.dirname(o.file), folder);
  const template = (o.template ?? '').trim() || DEFAULT_RUN_NAME;
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  const d = o.now;
  const fixed = template
    .replace(/\$\{search\}/g, o.search)
    .replace(/\$\{file\}/g, path.basename(o.file).replace(/\.nas$/, ''))
    .replace(/\$\{date\}/g, `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`)
    .replace(/\$\{time\}/g, `${pad(d.getHours())}${pad(d.getMinutes())}${pad(d.getSeconds())}`);
  const unknown = /\$\{(?!n\})[^}]*\}/.exec(fixed);
  if (unknown) throw new RunNameError(`nas.search.runName: unknown variable ${unknown[0]} (use \${search}, \${file}, \${date}, \${time}, \${n})`);
  if (/[\\/]/.test(fixed.replace(/\$\{n\}/g, '')) || fixed.trim() === '' || fixed === '.' || fixed === '..') {
    throw new RunNameError(`nas.search.runName must name one folder, found "${template}"`);
  }
  const named = (n: number) => (fixed.includes('${n}') ? fixed.replace(/\$\{n\}/g, String(n)) : n === 1 ? fixed : `${fixed}-${n}`);
  for (let n = 1; ; n++) {
    const dir = path.join(root, named(n));
    if (!o.exists(dir)) return dir;
  }
}

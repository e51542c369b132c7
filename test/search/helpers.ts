/** Helpers for the search tests: build a file, read one of its search blocks, run it in-process. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Search } from '../../src/core/language/syntax/generated/ast.js';
import { ArchitectureSpace } from '../../src/core/search/architecture-space.js';
import { prepareSearch, type PreparedSearch } from '../../src/core/search/prepare.js';
import { runSearch, type RunOptions } from '../../src/core/search/runner.js';
import { readSearchSpec, type SearchSpec } from '../../src/core/search/spec.js';
import type { DoneEvent, SearchEvent } from '../../src/protocol/search-events.js';
import { build, type Built } from '../helpers/nas.js';

export const EXAMPLES = path.resolve(__dirname, '../../examples');

export function example(name: string): string {
  return fs.readFileSync(path.join(EXAMPLES, name), 'utf8');
}

/** Builds `text` as if it were a file in examples/ (so `import "nb201"` resolves). */
export async function buildInExamples(text: string, name: string): Promise<Built> {
  const b = await build(text, undefined, path.join(EXAMPLES, name));
  if (b.errors.length) throw new Error(`${name}: ${b.errors.map((e) => e.message).join('; ')}`);
  return b;
}

export function searchSpec(b: Built, name: string): SearchSpec {
  const s = b.root.elements.find((e): e is Search => e.$type === 'Search' && e.name === name);
  if (!s) throw new Error(`no search ${name}`);
  const r = readSearchSpec(s);
  if (!r.spec) throw new Error(r.problems.map((p) => p.message).join('; '));
  return r.spec;
}

export async function spaceOf(file: string, name: string): Promise<ArchitectureSpace> {
  const b = await buildInExamples(example(file), `space-${name}-${Math.random().toString(36).slice(2)}.nas`);
  return new ArchitectureSpace(b.def(name));
}

export interface Ran {
  done: DoneEvent;
  events: SearchEvent[];
}

export async function run(prepared: PreparedSearch, seed: number, extra: Partial<RunOptions> = {}): Promise<Ran> {
  const events: SearchEvent[] = [];
  const done = await runSearch({
    prepared,
    seed,
    budget: prepared.spec.budget,
    progress: true,
    ...extra,
    onEvent: (e) => {
      events.push(e);
      extra.onEvent?.(e);
    },
  });
  return { done, events };
}

export function prepare(spec: SearchSpec): PreparedSearch {
  return prepareSearch(spec);
}

export function mean(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

export function std(xs: readonly number[]): number {
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / xs.length);
}

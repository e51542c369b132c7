/**
 * The NAS-Bench-201 accuracy columns shipped in nb201-data.ts, unpacked on first use (about
 * 10 ms) into one Float64Array per (dataset, column), indexed by the architecture's index in
 * codecs/nb201.ts.
 */
import * as zlib from 'node:zlib';
import { NB201_COLUMNS, nb201Packed } from './nb201-data.js';

export const NB201_SIZE = 15625;

export interface Nb201Table {
  /** Test accuracy (percent) of every cell for `dataset` and `column` (acc12, acc200, acc200_one_seed). */
  column(dataset: string, column: string): Float64Array;
  /** The benchmark's own index (its API's arch index) of a cell. */
  benchmarkIndex(index: number): number;
}

let table: Nb201Table | undefined;

export function nb201Table(): Nb201Table {
  if (table) return table;
  const bytes = zlib.inflateRawSync(Buffer.from(nb201Packed(), 'base64'));
  const counts = new Uint16Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 2);
  const columns = new Map<string, Float64Array>();
  NB201_COLUMNS.forEach((c, i) => {
    const out = new Float64Array(NB201_SIZE);
    for (let j = 0; j < NB201_SIZE; j++) out[j] = counts[i * NB201_SIZE + j]! / c.scale;
    columns.set(`${c.dataset}/${c.name}`, out);
  });
  const rows = counts.slice(NB201_COLUMNS.length * NB201_SIZE);
  table = {
    column(dataset, column) {
      const c = columns.get(`${dataset}/${column}`);
      if (!c) throw new Error(`NAS-Bench-201 has no column ${column} for ${dataset}`);
      return c;
    },
    benchmarkIndex: (i) => rows[i]!,
  };
  return table;
}

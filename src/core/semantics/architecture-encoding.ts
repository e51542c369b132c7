/**
 * The canonical encoding of an architecture of a space: `key=option` for each choice key it
 * reaches, in decision order, and a short id hashed from it (what `nas sample --json`, search
 * runs and `nas train --arch` exchange).
 */
import type { TraceEntry } from './evaluator/index.js';
import { hash64 } from '../util/random.js';

/** Canonical encoding: `key=option` in decision order, one per reached key. */
export function encodeDecisions(trace: readonly TraceEntry[]): string {
  return trace.map((t) => `${t.key}=${t.taken}`).join(';');
}

export function decodeDecisions(encoding: string): Map<string, number> {
  const out = new Map<string, number>();
  if (!encoding) return out;
  for (const part of encoding.split(';')) {
    const eq = part.lastIndexOf('=');
    out.set(part.slice(0, eq), Number(part.slice(eq + 1)));
  }
  return out;
}

export function architectureId(encoding: string): string {
  return hash64(encoding);
}

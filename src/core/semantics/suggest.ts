/**
 * "Did you mean" suggestions by Damerau-Levenshtein distance (optimal string alignment), and
 * names shortened for messages. The work is bounded whatever the input: a name longer than
 * MAX_SUGGESTION_NAME gets no suggestion (a typo of a real name is not 100,000 characters
 * long), at most MAX_SUGGESTION_CANDIDATES names are compared, a candidate whose length alone
 * puts it out of reach is skipped, and each comparison keeps two rows, not a matrix.
 */

/** Names longer than this get no suggestion. */
export const MAX_SUGGESTION_NAME = 64;
/** Candidates compared for one suggestion (the names in scope come nearest first). */
export const MAX_SUGGESTION_CANDIDATES = 5000;
/** Names longer than this are shortened in messages. */
export const MAX_QUOTED_NAME = 64;
/** Messages longer than this are cut (the longest the checks write is a few hundred). */
export const MAX_MESSAGE = 1000;

/** The edit distance of a and b, or `cap + 1` when it exceeds `cap` (stopping as soon as it must). */
export function editDistance(a: string, b: string, cap = Infinity): number {
  const m = a.length;
  const n = b.length;
  if (Math.abs(m - n) > cap) return cap + 1;
  // Rows i-2, i-1 and i of the matrix (the transposition reads two rows back).
  let before = new Array<number>(n + 1).fill(0);
  let previous = Array.from({ length: n + 1 }, (_, j) => j);
  let current = new Array<number>(n + 1).fill(0);
  for (let i = 1; i <= m; i++) {
    current[0] = i;
    let rowMin = i;
    for (let j = 1; j <= n; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, before[j - 2]! + 1);
      current[j] = v;
      rowMin = Math.min(rowMin, v);
    }
    // Every path to the end passes this row: past the cap here, past it at the end.
    if (rowMin > cap) return cap + 1;
    [before, previous, current] = [previous, current, before];
  }
  return Math.min(previous[n]!, cap + 1);
}

/** The closest candidate within a distance that scales with the name's length, if any. */
export function suggestName(name: string, candidates: Iterable<string>): string | undefined {
  if (name.length === 0 || name.length > MAX_SUGGESTION_NAME) return undefined;
  const limit = Math.max(1, Math.floor(name.length / 3));
  const lower = name.toLowerCase();
  let best: string | undefined;
  let bestD = Infinity;
  let compared = 0;
  for (const c of candidates) {
    if (++compared > MAX_SUGGESTION_CANDIDATES) break;
    if (c === name || Math.abs(c.length - name.length) > limit) continue;
    const dist = c.toLowerCase() === lower ? 0.5 : editDistance(name, c, limit);
    if (dist < bestD || (dist === bestD && best !== undefined && c < best)) {
      best = c;
      bestD = dist;
    }
  }
  return bestD <= limit ? best : undefined;
}

/** A name as a message shows it: whole, or its start and how long it is. */
export function quotedName(name: string): string {
  return name.length <= MAX_QUOTED_NAME ? name : `${name.slice(0, MAX_QUOTED_NAME)}… (${name.length.toLocaleString('en-US')} characters)`;
}

const LONG_QUOTED = new RegExp(`\`([^\`]{${MAX_QUOTED_NAME + 1},})\``, 'g');

/**
 * A message with every back-quoted name longer than MAX_QUOTED_NAME shortened and the whole
 * cut at MAX_MESSAGE characters, so that a diagnostic never echoes a name or a path of a
 * megabyte (applied where every diagnostic of a document passes).
 */
export function boundedMessage(message: string): string {
  if (message.length <= MAX_QUOTED_NAME + 2) return message;
  const shortened = message.replace(LONG_QUOTED, (_, name: string) => `\`${quotedName(name)}\``);
  return shortened.length <= MAX_MESSAGE ? shortened : `${shortened.slice(0, MAX_MESSAGE)}… (message shortened)`;
}

/** The figures of a space that cross to the editor, with the size as a decimal string. */
import type { SpaceSummary } from './protocol.js';

type SpaceFiguresLike = Omit<SpaceSummary, 'size'> & { size: bigint | string };

export function summarizeSpaceStats(s: SpaceFiguresLike): SpaceSummary {
  return {
    size: s.size.toString(),
    log10Size: s.log10Size,
    minParams: s.minParams,
    maxParams: s.maxParams,
    minMacs: s.minMacs,
    maxMacs: s.maxMacs,
    exact: s.exact,
    method: s.method,
  };
}

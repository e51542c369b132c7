/**
 * `nas proxy FILE --json` (zero-cost proxies, src/core/train/proxies) -> whoever reads its
 * NDJSON stdout (the editor, scripts): one `architecture` line per scored architecture, then
 * one `summary` line. Same convention as nas search and nas train: the kind in `event`,
 * camelCase fields. Documented in docs/cli.md ("nas proxy").
 */

export interface ProxyArchitectureEvent {
  event: 'architecture';
  /** 1-based, in sampling order. */
  index: number;
  /** 64-bit FNV-1a of `encoding`, 16 hex digits (as nas sample). */
  id: string;
  /** Canonical decisions, `key=option;...`. */
  encoding: string;
  /** The architecture in one readable line (an NB201 string, a DARTS genotype, `name=option ...`). */
  arch: string;
  params: number;
  macs: number;
  /**
   * The proxy's score (larger is better); with several proxies, their combination: the mean of
   * each proxy's rank quantile (0 worst, 1 best) within the sample. null: minus infinity (a
   * singular NASWOT kernel: no ReLU tells two images apart).
   */
  score: number | null;
  /** Every proxy's score, by name. */
  scores: Record<string, number | null>;
  /** When the search block names a benchmark: its columns for this architecture (e.g. acc12, acc200). */
  benchmark?: Record<string, number>;
  /** The evaluation failed (a network the engine cannot build): the reason; no score. */
  error?: string;
}

/** Rank correlations of a score with a benchmark column over the scored architectures. */
export interface ProxyCorrelation {
  spearman: number;
  kendall: number;
}

export interface ProxySummaryEvent {
  event: 'summary';
  space: string;
  proxies: string[];
  sample: number;
  seed: number;
  seconds: number;
  /** Ctrl-C stopped the run: `sample` architectures were scored, fewer than asked. */
  cancelled?: true;
  /** With a benchmark: per score (each proxy, and `combined` with several), per benchmark column. */
  correlations?: Record<string, Record<string, ProxyCorrelation>>;
}

export type ProxyEvent = ProxyArchitectureEvent | ProxySummaryEvent;

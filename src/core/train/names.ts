/**
 * The names the command line offers before it loads the training engine: `nas check` and
 * `nas cost` load no tfjs (the CLI imports the engine when `nas train` or `nas bench train`
 * runs, src/cli/commands/*-run.ts), so the option lists live here, apart from it.
 */
export const BACKEND_NAMES = ['node-gpu', 'node', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

export function isBackendName(s: string): s is BackendName {
  return (BACKEND_NAMES as readonly string[]).includes(s);
}

/** The reference networks of shared/peers/torch_train_peer.py (reference-nets.ts builds them). */
export const REFERENCE_NET_NAMES = ['small', 'nb201', 'mbconv'] as const;
export type ReferenceNetName = (typeof REFERENCE_NET_NAMES)[number];

export function isReferenceNetName(s: string): s is ReferenceNetName {
  return (REFERENCE_NET_NAMES as readonly string[]).includes(s);
}

/** Images in the embedded dataset by default (90% train, 10% validation). */
export const SHAPES10_DEFAULT_LENGTH = 6000;

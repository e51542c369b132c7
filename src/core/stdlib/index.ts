/** The documents shipped with the product: built-in ops (always in scope) and `std/...` files. */
import { OPS_SOURCE, OPS_URI } from './ops.js';
import { BLOCKS_SOURCE } from './blocks.js';

export const BUILTIN_DOCUMENTS: ReadonlyArray<{ uri: string; text: string }> = [
  { uri: OPS_URI, text: OPS_SOURCE },
  { uri: 'builtin:/std/blocks.nas', text: BLOCKS_SOURCE },
];

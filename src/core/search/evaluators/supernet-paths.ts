/**
 * The path sequence of a supernet's training, the same on both engines: one architecture per
 * batch, drawn uniformly from the feasible part of the space (SPOS, Guo et al. 2020, Alg. 1)
 * by a seeded sampler. A path that cannot be built (it does not fit the data or the memory) is
 * not trained: another is drawn, as a search fails only that candidate's trial.
 */
import { Rng } from '../../util/random.js';
import type { ArchitectureSpace } from '../architecture-space.js';
import { FeasibleSampler, SearchSetupError } from '../feasible.js';
import type { Arch, ConstraintSpec } from '../types.js';

/** Seed offset: path draws differ from the shuffling of training. */
const PATH_SEED = 0x5b05;
/** Draws in a row that may fail to build before the supernet gives up. */
const MAX_DRAWS = 100;
/** Paths kept built (the specs of the paths met are small, a few hundred bytes per op; bound them anyway). */
const KEPT_PATHS = 4096;

export interface PathDrawer<P> {
  /** The path of the next batch. */
  next(): P;
  /** Paths drawn that could not be built, with why (the first). */
  readonly unbuildable: ReadonlyMap<string, string>;
}

/** Draws paths of `space` under `constraints`; `build` makes one (throws when it cannot be built). */
export function pathDrawer<P>(space: ArchitectureSpace, constraints: readonly ConstraintSpec[], seed: number, build: (arch: Arch) => P): PathDrawer<P> {
  const sampler = new FeasibleSampler(space, constraints, seed);
  const rng = new Rng(seed ^ PATH_SEED);
  const paths = new Map<string, P>();
  const unbuildable = new Map<string, string>();
  return {
    unbuildable,
    next(): P {
      let why = '';
      for (let tries = 0; tries < MAX_DRAWS; tries++) {
        const arch = sampler.sample(rng);
        let p = paths.get(arch.encoding);
        if (p) return p;
        const known = unbuildable.get(arch.encoding);
        if (known !== undefined) {
          why = known;
          continue;
        }
        try {
          p = build(arch);
        } catch (e) {
          why = e instanceof Error ? e.message : String(e);
          unbuildable.set(arch.encoding, why);
          continue;
        }
        if (paths.size >= KEPT_PATHS) paths.clear();
        paths.set(arch.encoding, p);
        return p;
      }
      throw new SearchSetupError(`the supernet cannot be trained: ${MAX_DRAWS} paths drawn in a row cannot be built (${why})`);
    },
  };
}

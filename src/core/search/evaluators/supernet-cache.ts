/**
 * Where a trained supernet is kept: one safetensors file per space and training recipe, in a
 * cache folder shared by every search (the `cache` setting, else $XDG_CACHE_HOME/nas-studio/
 * supernets, else ~/.cache/nas-studio/supernets), so that a later search on the same space,
 * another search block over it, or a `--resume` of the run loads it instead of training again.
 *
 * The file's name holds a hash of what the weights depend on: the space as the model builder
 * sees it (its choice keys and options, and the model specs and weight keys of a fixed sample
 * of its architectures, so that comments, formatting and edits elsewhere keep the hash), the
 * search's cost constraints (they decide which paths train), and every training setting.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ArchitectureSpace } from '../architecture-space.js';
import type { ConstraintSpec, Settings } from '../types.js';
import { Rng } from '../../util/random.js';
import { describeModel } from '../../train/model-builder/index.js';
import { sharedWeightKeys } from '../../train/supernet/weight-store.js';
import { readSafetensorsFile, SafetensorsError } from '../../train/safetensors.js';
import { SearchSetupError } from '../feasible.js';

/** Bump when the store's keys or the training recipe change meaning. */
export const SUPERNET_FORMAT = 'nas-studio/supernet@1';

/** Architectures of the space whose specs enter the hash. */
const FINGERPRINT_SAMPLES = 8;

/** The training settings that change the trained weights. */
export const TRAINING_SETTINGS = ['data', 'images', 'val_fraction', 'augment', 'seed', 'epochs', 'batch', 'lr', 'momentum', 'weight_decay', 'share'];

export function defaultSupernetCache(): string {
  const xdg = process.env['XDG_CACHE_HOME'];
  return path.join(xdg && path.isAbsolute(xdg) ? xdg : path.join(os.homedir(), '.cache'), 'nas-studio', 'supernets');
}

/** sha256 (hex) of the space's structure, the cost constraints and the training settings. */
export function supernetFingerprint(space: ArchitectureSpace, settings: Settings, constraints: readonly ConstraintSpec[]): string {
  const h = crypto.createHash('sha256');
  h.update(SUPERNET_FORMAT).update('\0').update(space.def.name).update('\0');
  for (const k of space.keys) h.update(`${k.key}:${k.options};`);
  h.update('\0');
  const rng = new Rng(0x5e7);
  const archs = [space.fromGenes(new Int32Array(space.keys.length))];
  for (let i = 0; i < FINGERPRINT_SAMPLES; i++) archs.push(space.sample(rng));
  for (const arch of archs) {
    const r = space.elaborate(arch);
    if (!r.input || !r.output || r.diagnostics.some((d) => d.severity === 'error')) {
      h.update(`${arch.encoding}: no model\0`);
      continue;
    }
    try {
      const spec = describeModel(r, space.def, 'x');
      const keys = sharedWeightKeys(r, spec, space.decisions(arch), settings['share'] === 'slices');
      for (const n of spec.nodes) h.update(`${n.op}(${n.inputs})${JSON.stringify(n.attrs)}[${n.shape}]`);
      for (const k of keys.values()) h.update(k).update(';');
    } catch (e) {
      h.update(`${arch.encoding}: ${e instanceof Error ? e.message : String(e)}`);
    }
    h.update('\0');
  }
  const costConstraints = constraints.map((c) => `${c.metric}${c.op}${c.value}`).join(',');
  h.update(costConstraints).update('\0');
  for (const s of TRAINING_SETTINGS) h.update(`${s}=${JSON.stringify(settings[s])};`);
  return h.digest('hex');
}

/** The file of a supernet in `folder`. */
export function supernetFile(folder: string, space: ArchitectureSpace, fingerprint: string): string {
  const safe = space.def.name.replace(/[^A-Za-z0-9_-]/g, '_');
  return path.join(folder, `${safe}-${fingerprint.slice(0, 16)}.safetensors`);
}

/**
 * A saved supernet of this fingerprint, if the cache has a readable one. Either engine reads
 * the other's: the keys, the engine's layouts and the recipe are the same (docs/adr/0025).
 */
export function loadSaved(file: string, fingerprint: string): ReturnType<typeof readSafetensorsFile> | undefined {
  if (!fs.existsSync(file)) return undefined;
  try {
    const saved = readSafetensorsFile(file);
    if (saved.metadata['format'] !== SUPERNET_FORMAT || saved.metadata['fingerprint'] !== fingerprint) return undefined;
    return saved;
  } catch (e) {
    if (e instanceof SafetensorsError) return undefined;
    throw new SearchSetupError(`cannot read the saved supernet ${file}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

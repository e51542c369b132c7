/**
 * The formats of `nas export --to`: one entry per format, so that another exporter (ONNX) is
 * one more line here. Each turns the network resolve-network.ts picked into a file's content;
 * a network the format cannot express throws the core's ExportError (exit 1).
 */
import { exportPytorch } from '../../core/export/pytorch/index.js';
import { ArchitectureSpace } from '../../core/search/architecture-space.js';
import { describeArchitecture } from '../../core/search/describe.js';
import { decodeDecisions } from '../../core/semantics/space.js';
import { PRODUCT_VERSION } from '../version.js';
import type { ResolvedNetwork } from './resolve-network.js';

export interface ExportedFile {
  readonly content: string | Uint8Array;
  /** One line for stderr: what was written. */
  readonly summary: string;
}

export interface ExportFormat {
  readonly name: string;
  readonly description: string;
  /** Extension of the file (for messages and the editor's default name). */
  readonly extension: string;
  /** Writes architectures of spaces only (`--arch` or `--run`). */
  readonly needsArchitecture?: boolean;
  write(network: ResolvedNetwork, command: string): ExportedFile;
}

/** A space architecture's one-line summary (a NAS-Bench-201 string, a DARTS genotype, the decisions). */
function summaryOf(n: ResolvedNetwork): string | undefined {
  if (!n.arch) return undefined;
  const space = new ArchitectureSpace(n.def);
  return describeArchitecture(space, space.fromDecisions(decodeDecisions(n.arch)), 'summary');
}

const pytorch: ExportFormat = {
  name: 'pytorch',
  description: 'a self-contained PyTorch nn.Module file (one class per block or cell; state_dict names are the training engine tensor names)',
  extension: '.py',
  write(n, command) {
    const e = exportPytorch(n.result, n.def, { source: n.file, arch: n.arch, summary: summaryOf(n), command, version: PRODUCT_VERSION });
    return { content: e.code, summary: `class ${e.className} (Model), ${e.params.toLocaleString('en-US')} parameters` };
  },
};

/** The architecture as `.nas` text: the space with its decisions fixed (as a search's best.nas), importing the space's file. */
const nas: ExportFormat = {
  name: 'nas',
  description: 'the architecture as a fixed network of its space (network X = Space with { ... }), importing the space file by its absolute path',
  extension: '.nas',
  needsArchitecture: true,
  write(n, command) {
    const space = new ArchitectureSpace(n.def);
    const arch = space.fromDecisions(decodeDecisions(n.arch!));
    const text = describeArchitecture(space, arch, 'nas', { header: [`written by ${command}`, `id ${space.id(arch)}`], imports: 'absolute' });
    return { content: text, summary: `network ${space.def.name}_${space.id(arch).slice(0, 8)} = ${space.def.name} with { ... }` };
  },
};

export const EXPORT_FORMATS: readonly ExportFormat[] = [pytorch, nas];

/**
 * A network of a `.nas` file as a readable, self-contained PyTorch file: one `nn.Module`
 * class per block or cell (instances with the same structure share one, with the numbers
 * that differ as constructor arguments), the network's class last, and the weight helpers.
 *
 * The file's `state_dict()` keys are the training engine's tensor names (the module paths of
 * model-builder/naming.ts): statements are `Scope` levels, blocks and cells their classes'
 * instances, layers `nn.Conv2d`, `nn.BatchNorm2d`, `nn.GroupNorm`, `nn.Linear` at their
 * names. Everything else is a function of `torch.nn.functional`, with PyTorch's semantics as
 * the engine implements them (model-builder/ops.ts). The PyTorch engine (src/core/torch/)
 * trains exactly this code.
 */
import type { ElaborationResult } from '../../semantics/evaluator/index.js';
import type { Definition } from '../../language/syntax/generated/ast.js';
import { nodeModuleSegments, type ModuleSegment } from '../../train/model-builder/naming.js';
import { describeModel, specParamCount, type ModelSpec, type SpecNode } from '../../train/model-builder/spec.js';
import { planClasses, type ClassPlan, type PyClass } from './classes.js';
import { accessor, forwardParams, isAttributeName, keptName, opArgs, writeForward, type ForwardContext } from './forward.js';
import { CHANNEL_SHUFFLE, SAFETENSORS_HELPERS, SCOPE_CLASS } from './python-runtime.js';
import { ExportError, buildInstanceTree, valueRanks, type Instance } from './tree.js';

export { ExportError } from './tree.js';

export interface PytorchExportHeader {
  /** The .nas file, as the user named it. */
  readonly source?: string;
  /** A space's architecture: its encoding, and a one-line summary. */
  readonly arch?: string;
  readonly summary?: string;
  /** The command that wrote the file. */
  readonly command?: string;
  /** Product version. */
  readonly version?: string;
  readonly macs?: number;
}

export interface PytorchExport {
  readonly code: string;
  /** The network's class (also bound to `Model` in the file). */
  readonly className: string;
  readonly spec: ModelSpec;
  readonly params: number;
}

/** Attributes of torch.nn.Module a submodule cannot take (add_module refuses them). */
const MODULE_ATTRIBUTES = new Set([
  'T_destination',
  'add_module',
  'apply',
  'bfloat16',
  'buffers',
  'call_super_init',
  'children',
  'compile',
  'cpu',
  'cuda',
  'double',
  'dump_patches',
  'eval',
  'extra_repr',
  'float',
  'forward',
  'get_buffer',
  'get_extra_state',
  'get_parameter',
  'get_submodule',
  'half',
  'ipu',
  'load_state_dict',
  'modules',
  'mtia',
  'named_buffers',
  'named_children',
  'named_modules',
  'named_parameters',
  'parameters',
  'register_backward_hook',
  'register_buffer',
  'register_forward_hook',
  'register_forward_pre_hook',
  'register_full_backward_hook',
  'register_full_backward_pre_hook',
  'register_load_state_dict_post_hook',
  'register_load_state_dict_pre_hook',
  'register_module',
  'register_parameter',
  'register_state_dict_post_hook',
  'register_state_dict_pre_hook',
  'requires_grad_',
  'set_extra_state',
  'set_submodule',
  'share_memory',
  'state_dict',
  'to',
  'to_empty',
  'train',
  'training',
  'type',
  'xpu',
  'zero_grad',
]);

/** Exports an elaborated network (a `network`, or an architecture of a `space`). */
export function exportPytorch(result: ElaborationResult, network: Definition, header: PytorchExportHeader = {}): PytorchExport {
  const segments = nodeModuleSegments(result, network);
  const spec = describeModel(
    result,
    network,
    undefined,
    segments.map((s) => s.map((x) => x.token).join('.')),
  );
  return exportPytorchSpec(spec, segments, { ...header, macs: header.macs ?? result.graph.totals().macs });
}

/** Exports a model spec whose nodes have these module-path segments (naming.ts). */
export function exportPytorchSpec(spec: ModelSpec, segments: readonly (readonly ModuleSegment[])[], header: PytorchExportHeader = {}): PytorchExport {
  for (const segs of segments) {
    for (const s of segs) {
      if (MODULE_ATTRIBUTES.has(s.token)) {
        throw new ExportError(
          `the name \`${s.token}\` (in ${segs.map((x) => x.token).join('.')}) is an attribute of torch.nn.Module and cannot name a module: rename it`,
        );
      }
    }
  }
  const root = buildInstanceTree(spec, segments);
  const ranks = valueRanks(spec);
  const channelsOf = (id: number): number => spec.nodes[id]!.shape[0];
  const plan = planClasses(root, ranks, channelsOf);
  const ctx: ForwardContext = { plan, ranks, channelsOf, zeroOutputsOf: new Map() };
  const blocks: string[] = [];
  for (const cls of plan.classes) blocks.push(writeClass(cls, plan, ctx, cls.instances[0] === root));
  const rootClass = plan.classOf.get(root)!;
  const params = specParamCount(spec);
  const uses = (s: string): boolean => blocks.some((b) => b.includes(s));
  const parts = [
    fileHeader(spec, rootClass.name, params, header),
    'import json\nimport os\nimport struct\n\nimport torch\nimport torch.nn as nn\nimport torch.nn.functional as F',
    SAFETENSORS_HELPERS,
    ...(uses('Scope()') ? [SCOPE_CLASS] : []),
    ...(uses('channel_shuffle(') ? [CHANNEL_SHUFFLE] : []),
    ...blocks,
    `Model = ${rootClass.name}\nINPUT_SHAPE = (${spec.input.join(', ')})  # channels, height, width of one image (NCHW batches)`,
    mainBlock(spec),
  ];
  return { code: parts.join('\n\n\n') + '\n', className: rootClass.name, spec, params };
}

function fileHeader(spec: ModelSpec, className: string, params: number, h: PytorchExportHeader): string {
  const what = h.arch ? `an architecture of the space ${spec.name}` : `the network ${spec.name}`;
  const lines = [`${className}: ${what}${h.source ? ` of ${h.source}` : ''}, as PyTorch modules.`, ''];
  if (h.summary) lines.push(`Architecture: ${h.summary}`);
  if (h.arch) lines.push(`Encoding: ${h.arch}`);
  if (h.summary || h.arch) lines.push('');
  const [c, hh, w] = spec.input;
  const macs = h.macs !== undefined ? `, ${formatCount(h.macs)} MACs per image` : '';
  lines.push(`${formatCount(params)} parameters${macs}; input N x ${c} x ${hh} x ${w} (NCHW); output N x ${outputSize(spec)}.`);
  lines.push(
    '',
    'Written by NAS Studio' + (h.version ? ` ${h.version}` : '') + (h.command ? ` (${h.command})` : '') + '; needs only Python and PyTorch.',
    "state_dict() names are the training engine's tensor names: load_nas_safetensors() reads a",
    'checkpoint of `nas train --save`, save_nas_safetensors() writes one `nas train --load` reads.',
    "Batch norm, padding, pooling and initialisation are PyTorch's defaults, as in the engine.",
  );
  return `"""${lines.join('\n').trimEnd()}\n"""`;
}

function outputSize(spec: ModelSpec): number {
  const s = spec.nodes[spec.output]!.shape;
  return s[0] * s[1] * s[2];
}

function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

function mainBlock(spec: ModelSpec): string {
  return [
    'if __name__ == "__main__":',
    '    model = Model()',
    '    print(model)',
    `    x = torch.randn(2, ${spec.input.join(', ')})`,
    '    y = model.eval()(x)',
    '    print("%d parameters, output %s" % (sum(p.numel() for p in model.parameters()), tuple(y.shape)))',
  ].join('\n');
}

/** The Python constructor of a layer with parameters, from its slot expressions by attribute. */
function layerConstructor(node: SpecNode, a: Record<string, string>): string {
  const at = node.attrs;
  switch (node.op) {
    case 'conv':
    case 'dwconv': {
      const k = a['kh'] === a['kw'] ? a['kh'] : `(${a['kh']}, ${a['kw']})`;
      const pad = a['pad_h'] === a['pad_w'] ? a['pad_h'] : `(${a['pad_h']}, ${a['pad_w']})`;
      const args = [a['in'], a['out'], k];
      if (a['stride'] !== '1') args.push(`stride=${a['stride']}`);
      if (pad !== '0') args.push(`padding=${pad}`);
      if (a['dilation'] !== '1') args.push(`dilation=${a['dilation']}`);
      if (a['groups'] !== '1') args.push(`groups=${a['groups']}`);
      if (at['bias'] !== true) args.push('bias=False');
      return `nn.Conv2d(${args.join(', ')})`;
    }
    case 'bn': {
      const args = [a['c']!];
      if (at['eps'] !== 1e-5) args.push(`eps=${at['eps']}`);
      if (at['momentum'] !== 0.1) args.push(`momentum=${at['momentum']}`);
      if (at['affine'] === false) args.push('affine=False');
      return `nn.BatchNorm2d(${args.join(', ')})`;
    }
    case 'gn':
      return `nn.GroupNorm(${a['groups']}, ${a['c']}${at['eps'] !== 1e-5 ? `, eps=${at['eps']}` : ''})`;
    case 'fc':
      return `nn.Linear(${a['in']}, ${a['out']}${at['bias'] === false ? ', bias=False' : ''})`;
    default:
      return '';
  }
}

function writeClass(cls: PyClass, plan: ClassPlan, ctx: ForwardContext, isRoot: boolean): string {
  const proto = cls.instances[0]!;
  const init: string[] = [];
  const containers = new Set<string>();
  let slot = 0;
  const register = (local: readonly string[], ctor: string): void => {
    for (let k = 1; k < local.length; k++) {
      const key = local.slice(0, k).join('.');
      if (containers.has(key)) continue;
      containers.add(key);
      init.push(assign(local.slice(0, k), 'Scope()'));
    }
    init.push(assign(local, ctor));
  };
  for (const it of proto.items) {
    if (it.kind === 'op') {
      const slots = plan.slotsOf(it.node);
      const n = cls.slotExprs.slice(slot, slot + slots.length);
      slot += n.length;
      const ctor = layerConstructor(it.node, opArgs(slots, n));
      if (ctor) register(it.local, ctor);
    } else {
      const child = plan.classOf.get(it.inst)!;
      const args = cls.slotExprs.slice(slot, slot + child.params.length);
      slot += args.length;
      register(it.local, `${child.name}(${args.join(', ')})`);
    }
  }
  const fwd = writeForward(cls, ctx, isRoot);
  ctx.zeroOutputsOf.set(cls, fwd.zeroOutputs);
  // Constructor arguments the forward pass reads are kept on the module.
  const kept = cls.params.filter((p) => fwd.lines.some((l) => new RegExp(`\\bself\\.${keptName(cls, p)}\\b`).test(l)));
  init.splice(0, 0, ...kept.map((p) => `self.${keptName(cls, p)} = ${p}`));
  const doc = isRoot ? `The network ${proto.def}.` : describeUse(cls);
  const body = [
    `class ${cls.name}(nn.Module):`,
    `    """${doc}"""`,
    '',
    `    def __init__(${['self', ...cls.params].join(', ')}):`,
    '        super().__init__()',
    ...init.map((l) => `        ${l}`),
    '',
    `    def forward(${isRoot ? 'self, x' : forwardParams(proto)}):`,
    ...fwd.lines.map((l) => `        ${l}`),
  ];
  return body.join('\n');
}

function describeUse(cls: PyClass): string {
  const n = cls.instances.length;
  const variant = cls.name !== cls.def ? ` (one of its variants)` : '';
  return `${cls.def} of the .nas source${variant}: ${n} instance${n === 1 ? '' : 's'} in this network.`;
}

/** `self.a.b = value`, or setattr for a name that is not a Python attribute. */
function assign(local: readonly string[], value: string): string {
  const last = local[local.length - 1]!;
  const owner = accessor(local.slice(0, -1));
  return isAttributeName(last) ? `${owner}.${last} = ${value}` : `setattr(${owner}, ${JSON.stringify(last)}, ${value})`;
}

export type { Instance };

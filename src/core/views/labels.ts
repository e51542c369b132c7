/** The texts the views show: op titles, shapes and costs, compact source text. */
import { formatSI } from '../../shared/format-number.js';
import type { ArchNode, ShapeTuple } from './architecture.js';

/** `text` on one line, runs of blanks made one, cut to `max` characters with an ellipsis. */
export function compactText(text: string, max: number): string {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length <= max ? one : `${one.slice(0, Math.max(1, max - 1))}…`;
}

/** `64×56×56`; a vector (1×1 spatially) as its length. */
export function formatShape(s: ShapeTuple): string {
  return s[1] === 1 && s[2] === 1 ? `${s[0]}` : `${s[0]}×${s[1]}×${s[2]}`;
}

export function formatCount(x: number): string {
  return formatSI(x, 3);
}

/** `2.36M params · 231M MACs`, leaving out what is zero; empty when both are. */
export function costLine(params: number, macs: number): string {
  const parts: string[] = [];
  if (params > 0) parts.push(`${formatCount(params)} params`);
  if (macs > 0) parts.push(`${formatCount(macs)} MACs`);
  return parts.join(' · ');
}

/** The decisions a view shows: a space's are open choices, a fixed network's (`network X = S with { ... }`) fixed. */
export function choicesLine(kind: 'space' | 'network', count: number): string {
  if (count === 0) return '';
  return kind === 'space' ? `${count} choices` : `${count} decisions fixed`;
}

function num(a: ArchNode['attrs'], k: string, fallback: number): number {
  const v = a[k];
  return typeof v === 'number' ? v : fallback;
}

/** A kernel as `3×3` (`1×7` for asymmetric ones), with `/2` for a stride and `d2` for a dilation. */
function kernel(a: ArchNode['attrs'], fallbackStride: number): string {
  const k = num(a, 'k', 1);
  const kh = num(a, 'kh', -1) > 0 ? num(a, 'kh', -1) : k;
  const kw = num(a, 'kw', -1) > 0 ? num(a, 'kw', -1) : k;
  const stride = num(a, 'stride', fallbackStride);
  const dilation = num(a, 'dilation', 1);
  return `${kh}×${kw}${stride > 1 ? `/${stride}` : ''}${dilation > 1 ? ` d${dilation}` : ''}`;
}

/** A primitive's title: its op and the attributes a reader looks for first (`conv 3×3/2 g32`, `fc 1000`). */
export function opTitle(n: Pick<ArchNode, 'op' | 'attrs'>): string {
  const a = n.attrs;
  switch (n.op) {
    case 'conv': {
      const groups = num(a, 'groups', 1);
      return `conv ${kernel(a, 1)}${groups > 1 ? ` g${groups}` : ''}`;
    }
    case 'dwconv':
      return `dwconv ${kernel(a, 1)}`;
    case 'maxpool':
    case 'avgpool': {
      const k = num(a, 'k', 2);
      return `${n.op} ${kernel({ ...a, k }, k)}`;
    }
    case 'fc':
      return `fc ${num(a, 'out', 0)}`;
    case 'zero':
      return num(a, 'stride', 1) > 1 ? `zero /${num(a, 'stride', 1)}` : 'zero';
    case 'split':
      return `split ${num(a, 'index', 0) + 1}/${num(a, 'parts', 2)}`;
    case 'channel_shuffle':
      return `shuffle g${num(a, 'groups', 2)}`;
    case 'upsample':
      return `upsample ×${num(a, 'scale', 2)}`;
    case 'gn':
      return `gn g${num(a, 'groups', 32)}`;
    case 'dropout':
      return `dropout ${num(a, 'p', 0)}`;
    default:
      return n.op;
  }
}

/** Ops that only adjust a path (normalization, activation, identity): left out of an edge's summary when others are there. */
const MINOR = new Set(['bn', 'gn', 'relu', 'relu6', 'hswish', 'hsigmoid', 'swish', 'sigmoid', 'identity', 'dropout']);

/** A short summary of a chain of primitives: its major ops, `conv 1×3 · conv 3×1`. */
export function chainTitle(nodes: readonly Pick<ArchNode, 'op' | 'attrs'>[]): string {
  const major = nodes.filter((n) => !MINOR.has(n.op));
  const shown = (major.length > 0 ? major : nodes.filter((n) => n.op !== 'identity')).map(opTitle);
  if (shown.length === 0) return nodes.length > 0 ? 'identity' : '';
  return shown.length <= 3 ? shown.join(' · ') : `${shown.slice(0, 2).join(' · ')} · … (${shown.length})`;
}

/** `Bottleneck(128, stride=2)`, or the bare name without arguments. */
export function callTitle(name: string, args: string | undefined): string {
  return args ? `${name}(${args})` : name;
}

/** Geometry a drawing must have: boxes apart, children inside their frames, edges ending on the right box and port. */
import type { Point, Scene, SceneNode } from '../../src/core/views/elk-graph.js';
import { allNodes } from '../../src/core/views/view-model.js';

const EPS = 0.51;

function overlaps(a: { x: number; y: number; width: number; height: number }, b: { x: number; y: number; width: number; height: number }): boolean {
  return a.x + EPS < b.x + b.width && b.x + EPS < a.x + a.width && a.y + EPS < b.y + b.height && b.y + EPS < a.y + a.height;
}

function inside(inner: SceneNode, outer: SceneNode): boolean {
  return (
    inner.x >= outer.x - EPS &&
    inner.y >= outer.y - EPS &&
    inner.x + inner.width <= outer.x + outer.width + EPS &&
    inner.y + inner.height <= outer.y + outer.height + EPS
  );
}

function onBorder(p: Point, b: SceneNode): boolean {
  const inX = p.x >= b.x - 1 && p.x <= b.x + b.width + 1;
  const inY = p.y >= b.y - 1 && p.y <= b.y + b.height + 1;
  const nearX = Math.abs(p.x - b.x) <= 1 || Math.abs(p.x - (b.x + b.width)) <= 1;
  const nearY = Math.abs(p.y - b.y) <= 1 || Math.abs(p.y - (b.y + b.height)) <= 1;
  return (inX && nearY) || (inY && nearX);
}

/** Every rule the drawing breaks, as readable lines (empty when it keeps them all). */
export function sceneProblems(scene: Scene): string[] {
  const problems: string[] = [];
  const byId = new Map(scene.nodes.map((s) => [s.node.id, s]));
  const parentOf = new Map<string, string>();
  for (const s of scene.nodes) for (const c of s.node.children ?? []) parentOf.set(c.id, s.node.id);
  const ancestors = (id: string): Set<string> => {
    const out = new Set<string>();
    for (let at = parentOf.get(id); at; at = parentOf.get(at)) out.add(at);
    return out;
  };
  for (const s of scene.nodes) {
    if (!(s.width > 0 && s.height > 0)) problems.push(`${s.node.id} has no size`);
    const p = parentOf.get(s.node.id);
    if (p && !inside(s, byId.get(p)!)) problems.push(`${s.node.id} sticks out of ${p}`);
  }
  for (let i = 0; i < scene.nodes.length; i++) {
    const a = scene.nodes[i]!;
    const up = ancestors(a.node.id);
    for (let j = i + 1; j < scene.nodes.length; j++) {
      const b = scene.nodes[j]!;
      if (up.has(b.node.id) || ancestors(b.node.id).has(a.node.id)) continue;
      if (overlaps(a, b)) problems.push(`${a.node.id} (${a.node.title}) overlaps ${b.node.id} (${b.node.title})`);
    }
  }
  const leaves = scene.nodes.filter((s) => !s.node.children);
  for (const e of scene.edges) {
    const { source, target, targetPort, id } = e.edge;
    if (e.points.length < 2) {
      problems.push(`${id} has no route`);
      continue;
    }
    const first = e.points[0]!;
    const last = e.points[e.points.length - 1]!;
    if (!onBorder(first, byId.get(source)!)) problems.push(`${id} does not start on ${source}`);
    const t = byId.get(target)!;
    if (targetPort !== undefined) {
      const port = t.ports[targetPort];
      if (!port || Math.hypot(port.x - last.x, port.y - last.y) > 3) problems.push(`${id} does not end at port ${targetPort} of ${target}`);
    } else if (!onBorder(last, t)) problems.push(`${id} does not end on ${target}`);
    if (e.label) for (const s of leaves) if (overlaps(e.label, s)) problems.push(`the label of ${id} overlaps ${s.node.id}`);
  }
  // Ports in input order along the side edges come in from.
  for (const s of scene.nodes) {
    for (let k = 1; k < s.ports.length; k++) {
      const before = s.ports[k - 1]!;
      const at = s.ports[k]!;
      const ordered = scene.view.direction === 'DOWN' ? at.x > before.x : at.y > before.y;
      if (!ordered) problems.push(`${s.node.id}: port ${k} is not after port ${k - 1}`);
    }
  }
  const ids = [...allNodes(scene.view.nodes)].map((n) => n.id);
  if (new Set(ids).size !== ids.length) problems.push('box ids repeat');
  return problems;
}

/**
 * One entry for every front end: which view of an architecture to draw, as plain data (the
 * webview keeps it across reloads, `nas graph` builds it from its flags), and the view it
 * gives.
 */
import type { ArchitectureGraph } from './architecture.js';
import { cellView } from './cell-view.js';
import { compareView } from './compare-view.js';
import { networkView } from './network-view.js';
import type { ViewGraph } from './view-model.js';
import type { ViewSpec } from '../../protocol/graph-view.js';

export type { ViewSpec };

export function buildView(graph: ArchitectureGraph, spec: ViewSpec, other?: { graph: ArchitectureGraph; labels: [string, string] }): ViewGraph | undefined {
  const expand = spec.expand === 'all' ? 'all' : new Set(spec.expand ?? []);
  if (other) {
    return compareView(
      { graph, label: other.labels[0] },
      { graph: other.graph, label: other.labels[1] },
      { cell: spec.cell, expand, direction: spec.direction, hideZero: spec.hideZero },
    );
  }
  if (spec.cell) return cellView(graph, spec.cell, { direction: spec.direction, hideZero: spec.hideZero, space: spec.space });
  return networkView(graph, { expand, direction: spec.direction, hideZero: spec.hideZero });
}

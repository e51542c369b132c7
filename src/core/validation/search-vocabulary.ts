/** Names the search block accepts; the search issue implements them. */
export const KNOWN_METRICS = new Set(['accuracy', 'error', 'loss', 'macs', 'flops', 'params', 'activations', 'latency', 'memory']);
export const KNOWN_STRATEGIES = new Set(['random', 'evolution', 'regularized_evolution', 'local_search', 'grid', 'bayesian', 'nsga2']);
export const KNOWN_EVALUATORS = new Set(['benchmark', 'zero_cost', 'train', 'supernet', 'cost']);

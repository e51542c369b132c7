/**
 * `nas proxy FILE [--proxy synflow|naswot|grad_norm|snip[,...]] [--sample N] [--seed S]
 * [--search NAME | --space NAME] [--data SPEC] [--batch B] [--json]`: zero-cost proxy scores
 * of architectures sampled from a space (src/core/train/proxies). With a search block that
 * names a benchmark, each architecture carries the benchmark's figures and the summary the
 * rank correlations of each score with them. The work runs in the training bundle
 * (proxy-run.ts). Exit codes: 0 done; 1 the file has errors; 2 usage or I/O errors; 130 cancelled.
 */
import type { Command } from 'commander';
import { UsageError } from '../load.js';
import { ZERO_COST_PROXIES } from '../../core/search/vocabulary.js';

export interface ProxyOptions {
  proxy: string[];
  sample: number;
  seed: number;
  search?: string;
  space?: string;
  data?: string;
  batch?: number;
  json?: boolean;
}

function intOption(name: string, min: number) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name} needs an integer >= ${min}, found ${v}`);
    return n;
  };
}

function proxyList(v: string): string[] {
  const names = v.split(',').map((s) => s.trim());
  for (const n of names) if (!ZERO_COST_PROXIES.includes(n)) throw new UsageError(`--proxy: unknown proxy '${n}' (proxies: ${ZERO_COST_PROXIES.join(', ')})`);
  if (new Set(names).size !== names.length) throw new UsageError('--proxy names a proxy twice');
  return names;
}

export function register(program: Command): void {
  program
    .command('proxy')
    .description('score architectures sampled from a space with zero-cost proxies (no training); with a benchmark, their rank correlation with it')
    .argument('<file>', '.nas file')
    .option('--proxy <names>', `one or more of ${ZERO_COST_PROXIES.join(', ')}, comma-separated (several: also their combination)`, proxyList, ['synflow'])
    .option('--sample <n>', 'architectures to score (distinct, uniform over the space)', intOption('sample', 1), 100)
    .option('--seed <n>', 'sampling, initialisation and minibatch seed', intOption('seed', 0), 0)
    .option('--search <name>', "the search block whose space (and benchmark) to use (default: the file's first)")
    .option('--space <name>', 'a space of the file instead of a search block (no benchmark)')
    .option('--data <spec>', "the minibatch source, as nas train --data (default: the block's zero_cost data, else shapes10)")
    .option('--batch <n>', "images in the minibatch (default: the block's, else 64)", intOption('batch', 2))
    .option('--json', 'NDJSON: one `architecture` line each, then a `summary` (docs/cli.md)')
    .action(async (file: string, opts: ProxyOptions) => {
      if (opts.search && opts.space) throw new UsageError('--search and --space both choose the space: give one');
      const ctrl = new AbortController();
      const onSigint = (): void => {
        if (ctrl.signal.aborted) process.exit(130);
        process.stderr.write('\nnas proxy: stopping after the architecture in flight (Ctrl-C again to quit now)\n');
        ctrl.abort();
      };
      process.on('SIGINT', onSigint);
      try {
        // The training engine (tfjs) loads only now.
        const { runProxyCommand } = await import('./proxy-run.js');
        process.exitCode = await runProxyCommand(file, opts, ctrl.signal);
      } finally {
        process.off('SIGINT', onSigint);
      }
    });
}

/**
 * Which engine a search's `train` evaluator runs on (src/cli/commands/search-engine.ts), on the
 * paths that start no PyTorch: the block's setting and --engine, a resumed run's recorded
 * engine, `--gpus` parsing, `auto` falling back to tfjs and `torch` refused (with what to
 * install) when the named Python does not exist, and evaluators that have no PyTorch form;
 * the supernet evaluator resolves as train does and takes no --slots.
 */
import { describe, expect, it } from 'vitest';
import { EngineUnavailableError, parseGpus, resolveSearchEngine } from '../../src/cli/commands/search-engine.js';
import { UsageError } from '../../src/cli/load.js';
import { build } from '../helpers/nas.js';
import { searchSpec } from '../search/helpers.js';

const SPACE = `space Tiny {\n  input(3, 8, 8)\n  conv(choice(4, 8), k=3) -> bn -> relu\n  gap -> fc(10)\n}\n`;
const MISSING = '/nonexistent/python3';

async function spec(evaluator: string) {
  const b = await build(`${SPACE}search S {\n  space Tiny\n  maximize accuracy\n  evaluator ${evaluator}\n  budget 2\n}\n`);
  expect(b.errors).toEqual([]);
  return searchSpec(b, 'S');
}

describe('the search engine', () => {
  it('--gpus takes GPU indices or cpu', () => {
    expect(parseGpus('0,1')).toEqual([0, 1]);
    expect(parseGpus(' 2 ')).toEqual([2]);
    expect(parseGpus('cpu')).toEqual([]);
    for (const bad of ['', 'gpu0', '0,,1', '-1', '0,0']) expect(() => parseGpus(bad)).toThrow(UsageError);
  });

  it('tfjs from the block or --engine, recorded in the settings; --gpus is noted as not applying', async () => {
    const s = await spec('train(engine = "tfjs")');
    expect(resolveSearchEngine(s, {}).spec.evaluator.settings['engine']).toBe('tfjs');
    const r = resolveSearchEngine(await spec('train'), { engine: 'tfjs', gpus: '0' });
    expect(r.torch).toBeUndefined();
    expect(r.spec.evaluator.settings['engine']).toBe('tfjs');
    expect(r.note).toMatch(/--gpus applies to the torch engine/);
  });

  it('auto without a usable Python runs on tfjs and says why; torch is refused naming what to install', async () => {
    const auto = resolveSearchEngine(await spec('train'), { python: MISSING });
    expect(auto.spec.evaluator.settings['engine']).toBe('tfjs');
    expect(auto.note).toMatch(/^engine auto: tfjs \(the Python \/nonexistent\/python3 cannot run the PyTorch engine \(not found\)\)$/);
    const torch = await spec('train(engine = "torch")');
    expect(() => resolveSearchEngine(torch, { python: MISSING })).toThrow(EngineUnavailableError);
    expect(() => resolveSearchEngine(torch, { python: MISSING })).toThrow(/pip install torch.*apt-get install python3-torch/);
    // --engine wins over the block.
    expect(resolveSearchEngine(torch, { engine: 'tfjs', python: MISSING }).spec.evaluator.settings['engine']).toBe('tfjs');
  });

  it('a resumed run keeps its engine; other evaluators take no --engine torch', async () => {
    const s = await spec('train');
    expect(resolveSearchEngine(s, {}, 'tfjs').spec.evaluator.settings['engine']).toBe('tfjs');
    expect(() => resolveSearchEngine(s, { engine: 'torch' }, 'tfjs')).toThrow(/recorded with the tfjs engine; a resumed run keeps it/);
    const fake = await spec('fake');
    expect(() => resolveSearchEngine(fake, { engine: 'torch' })).toThrow(/evaluator fake runs on the tfjs engine only/);
    expect(resolveSearchEngine(fake, { gpus: '0', python: MISSING }).torch).toBeUndefined();
    expect(() => resolveSearchEngine(s, { engine: 'onnx' })).toThrow(/--engine: 'onnx' is not one of auto, tfjs, torch/);
  });

  it('the supernet evaluator resolves its engine as train does, and refuses --slots (one worker holds its weights)', async () => {
    const s = await spec('supernet(engine = "torch")');
    expect(() => resolveSearchEngine(s, { python: MISSING })).toThrow(/engine torch: .*pip install torch/);
    const auto = resolveSearchEngine(await spec('supernet'), { python: MISSING });
    expect(auto.torch).toBeUndefined();
    expect(auto.spec.evaluator.settings['engine']).toBe('tfjs');
    expect(resolveSearchEngine(s, { engine: 'tfjs' }).spec.evaluator.settings['engine']).toBe('tfjs');
    expect(() => resolveSearchEngine(s, { slots: 2, python: MISSING })).toThrow(/--slots: the supernet evaluator trains and scores on one worker/);
    expect(() => resolveSearchEngine(s, { engine: 'torch' }, 'tfjs')).toThrow(/recorded with the tfjs engine/);
  });
});

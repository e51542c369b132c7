/** The model builder's parameter counts equal the cost model's on 200 sampled architectures of every example space (sampled-params.ts; the normal tier checks the first 20). */
import { beforeAll, describe, it } from 'vitest';
import type { Definition } from '../../src/core/language/syntax/generated/ast';
import { exampleDefinitions, expectSampledParamsEqual } from './sampled-params';

const defs: Definition[] = [];
beforeAll(async () => {
  defs.push(...(await exampleDefinitions()));
});

describe('model builder parameter counts equal the cost model', () => {
  it('on 200 sampled architectures of every example space', () => {
    expectSampledParamsEqual(defs, 200);
  });
});

import { describe, expect, it } from 'vitest';
import { computeChannelStats, createShapes10, splitTrainVal, streamBatches, type Batch, type ImageSource } from '../../src/core/train/data';
import { createRng, shuffledIndices } from '../../src/core/train/data/rng';

/** A source whose pixel (y, x, c) of image i is (i + 3y + 5x + 7c) mod 256; counts reads. */
function makeSource(length: number, h: number, w: number, c: number, classes = 4): ImageSource & { reads: number } {
  const src = {
    description: 'test source',
    height: h,
    width: w,
    channels: c,
    numClasses: classes,
    classNames: Array.from({ length: classes }, (_, k) => `c${k}`),
    length,
    reads: 0,
    labelAt: (i: number) => i % classes,
    readImage(i: number, out: Uint8Array, off: number) {
      src.reads++;
      for (let y = 0; y < h; y++)
        for (let x = 0; x < w; x++) for (let ch = 0; ch < c; ch++) out[off + (y * w + x) * c + ch] = (i + 3 * y + 5 * x + 7 * ch) & 0xff;
    },
  };
  return src;
}

async function collect(gen: AsyncGenerator<Batch>): Promise<Batch[]> {
  const out: Batch[] = [];
  for await (const b of gen) out.push(b);
  return out;
}

const identityStats = (c: number) => ({ mean: new Array(c).fill(0), std: new Array(c).fill(1 / 255) });

describe('seeded PRNG', () => {
  it('is reproducible per seed and gives a permutation', () => {
    const a = Array.from({ length: 5 }, createRng(42).nextU32);
    expect(Array.from({ length: 5 }, createRng(42).nextU32)).toEqual(a);
    expect(Array.from({ length: 5 }, createRng(43).nextU32)).not.toEqual(a);
    const p = shuffledIndices(100, createRng(1));
    expect([...p].sort((x, y) => x - y)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    // Uniformity sanity: the mean of many draws is near 1/2.
    const r = createRng(9);
    let s = 0;
    for (let i = 0; i < 20000; i++) s += r.nextFloat();
    expect(Math.abs(s / 20000 - 0.5)).toBeLessThan(0.01);
  });
});

describe('train/validation split', () => {
  it('is stratified, disjoint, complete and seeded', () => {
    const src = makeSource(103, 2, 2, 1, 4);
    const { train, val } = splitTrainVal(src, 0.2, 7);
    expect(train.length + val.length).toBe(103);
    const ids = (s: ImageSource) => {
      const probe = new Uint8Array(4);
      return Array.from({ length: s.length }, (_, i) => (s.readImage(i, probe, 0), probe[0]));
    };
    const all = [...ids(train), ...ids(val)].sort((a, b) => a - b);
    expect(all).toEqual(Array.from({ length: 103 }, (_, i) => i));
    const perClass = new Array(4).fill(0);
    for (let i = 0; i < val.length; i++) perClass[val.labelAt(i)]++;
    for (const n of perClass) expect(n).toBeGreaterThanOrEqual(5);
    expect(ids(splitTrainVal(src, 0.2, 7).val)).toEqual(ids(val));
    expect(ids(splitTrainVal(src, 0.2, 8).val)).not.toEqual(ids(val));
  });
});

describe('normalisation statistics', () => {
  it('match a direct computation', () => {
    const src = makeSource(10, 4, 4, 3);
    const stats = computeChannelStats(src);
    const buf = new Uint8Array(48);
    for (let c = 0; c < 3; c++) {
      const vals: number[] = [];
      for (let i = 0; i < 10; i++) {
        src.readImage(i, buf, 0);
        for (let p = 0; p < 16; p++) vals.push(buf[p * 3 + c] / 255);
      }
      const m = vals.reduce((a, b) => a + b, 0) / vals.length;
      const sd = Math.sqrt(vals.reduce((a, b) => a + (b - m) ** 2, 0) / vals.length);
      expect(stats.mean[c]).toBeCloseTo(m, 10);
      expect(stats.std[c]).toBeCloseTo(sd, 10);
    }
  });
});

describe('batch stream', () => {
  it('normalises, covers every image once per epoch, shuffles by (seed, epoch)', async () => {
    const src = makeSource(10, 2, 3, 2);
    const stats = { mean: [0.1, 0.2], std: [0.5, 0.25] };
    const batches = await collect(streamBatches(src, { batchSize: 4, stats, shuffle: false, seed: 0, epoch: 0 }));
    expect(batches.map((b) => b.shape)).toEqual([
      [4, 2, 3, 2],
      [4, 2, 3, 2],
      [2, 2, 3, 2],
    ]);
    // Image 5, pixel (1, 2), channel 1 → raw 5 + 3 + 10 + 7 = 25.
    expect(batches[1].x[1 * 12 + (1 * 3 + 2) * 2 + 1]).toBeCloseTo((25 / 255 - 0.2) / 0.25, 5);
    expect(Array.from(batches[2].labels)).toEqual([0, 1]);

    const order = async (seed: number, epoch: number) => {
      const bs = await collect(streamBatches(src, { batchSize: 3, stats: identityStats(2), shuffle: true, seed, epoch }));
      return bs.flatMap((b) => Array.from({ length: b.shape[0] }, (_, k) => b.x[k * 12])); // raw pixel (0,0,0) = index
    };
    const e1 = await order(1, 1);
    expect([...e1].sort((a, b) => a - b)).toEqual(Array.from({ length: 10 }, (_, i) => i));
    expect(await order(1, 1)).toEqual(e1);
    expect(await order(1, 2)).not.toEqual(e1);
    expect(await order(2, 1)).not.toEqual(e1);
  });

  it('drops the ragged last batch when asked', async () => {
    const batches = await collect(
      streamBatches(makeSource(10, 2, 2, 1), { batchSize: 4, stats: identityStats(1), shuffle: true, seed: 3, epoch: 0, dropLast: true }),
    );
    expect(batches.map((b) => b.shape[0])).toEqual([4, 4]);
  });

  it('crops with zero padding and flips exactly as torchvision RandomCrop + RandomHorizontalFlip', async () => {
    const h = 5,
      w = 6,
      pad = 2;
    const src = makeSource(40, h, w, 1);
    const stats = identityStats(1);
    const [b] = await collect(
      streamBatches(src, { batchSize: 40, stats, shuffle: false, seed: 11, epoch: 0, augment: { cropPadding: pad, horizontalFlip: true } }),
    );
    let flips = 0,
      shifted = 0;
    for (let i = 0; i < 40; i++) {
      const out = Array.from(b.x.subarray(i * h * w, (i + 1) * h * w)).map(Math.round);
      // Find the (dy, dx, mirror) that explains the output; exactly one must.
      const matches: string[] = [];
      for (let dy = -pad; dy <= pad; dy++)
        for (let dx = -pad; dx <= pad; dx++)
          for (const m of [false, true]) {
            let ok = true;
            for (let y = 0; y < h && ok; y++)
              for (let x = 0; x < w && ok; x++) {
                const sy = y + dy,
                  sx = (m ? w - 1 - x : x) + dx;
                const want = sy < 0 || sy >= h || sx < 0 || sx >= w ? 0 : (i + 3 * sy + 5 * sx) & 0xff;
                ok = out[y * w + x] === want;
              }
            if (ok) matches.push(`${dy},${dx},${m}`);
          }
      expect(matches.length).toBe(1);
      if (matches[0].endsWith('true')) flips++;
      if (!matches[0].startsWith('0,0,')) shifted++;
    }
    expect(flips).toBeGreaterThan(8);
    expect(flips).toBeLessThan(32);
    expect(shifted).toBeGreaterThan(25);
  });

  it('streams lazily: a million-image source is read one batch at a time', async () => {
    const src = makeSource(1_000_000, 32, 32, 3);
    const gen = streamBatches(src, {
      batchSize: 64,
      stats: identityStats(3),
      shuffle: true,
      seed: 1,
      epoch: 0,
      augment: { cropPadding: 4, horizontalFlip: true },
    });
    const first = await gen.next();
    expect(first.done).toBe(false);
    expect(src.reads).toBe(64);
    await gen.next();
    expect(src.reads).toBe(128);
    await gen.return(undefined);
  });
});

describe('embedded shapes10 dataset', () => {
  it('is a pure function of (seed, index), balanced, and differs across seeds', () => {
    const a = createShapes10({ length: 50, seed: 4 });
    const b = createShapes10({ length: 50, seed: 4 });
    const c = createShapes10({ length: 50, seed: 5 });
    const img = (s: ImageSource, i: number) => {
      const o = new Uint8Array(32 * 32 * 3);
      s.readImage(i, o, 0);
      return o;
    };
    expect(Array.from(img(a, 17))).toEqual(Array.from(img(b, 17)));
    expect(Array.from(img(a, 17))).not.toEqual(Array.from(img(c, 17)));
    const counts = new Array(10).fill(0);
    for (let i = 0; i < 50; i++) counts[a.labelAt(i)]++;
    expect(counts).toEqual(new Array(10).fill(5));
    // Not a constant image: the pattern and noise give a wide spread of values.
    const px = img(a, 3);
    expect(Math.max(...px) - Math.min(...px)).toBeGreaterThan(100);
  });
});

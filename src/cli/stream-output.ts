/**
 * Writing results to stdout as they are made, so that a long run shows progress, memory does
 * not grow with the count, and a slow reader (a pipe) holds the writer back.
 */
import { once } from 'node:events';

export async function writeOut(text: string): Promise<void> {
  if (!process.stdout.write(text)) await once(process.stdout, 'drain');
}

/** A JSON array written element by element, in the layout of `JSON.stringify(list, null, 2)`. */
export class JsonArrayWriter {
  private count = 0;

  async add(value: unknown): Promise<void> {
    const item = JSON.stringify(value, null, 2).replace(/\n/g, '\n  ');
    await writeOut(`${this.count++ === 0 ? '[\n' : ',\n'}  ${item}`);
  }

  async close(): Promise<void> {
    await writeOut(this.count === 0 ? '[]\n' : '\n]\n');
  }
}

/**
 * Splits a byte stream into lines as they complete (NDJSON: one JSON value per line). A chunk
 * may end inside a line or inside a UTF-8 sequence; the decoder and the held tail keep both.
 */
export class LineSplitter {
  private readonly decoder = new TextDecoder('utf-8');
  private tail = '';

  /** The lines completed by `chunk`, without their line ends. */
  push(chunk: Uint8Array | string): string[] {
    const text = this.tail + (typeof chunk === 'string' ? chunk : this.decoder.decode(chunk, { stream: true }));
    const lines = text.split('\n');
    this.tail = lines.pop()!;
    return lines.map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  }

  /** What is left at the end of the stream (a last line without a line end), if anything. */
  end(): string[] {
    const rest = this.tail + this.decoder.decode();
    this.tail = '';
    return rest.trim() ? [rest] : [];
  }
}

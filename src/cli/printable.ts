/**
 * Text from the input (source, import paths, file names) made safe for a terminal: control
 * characters, which could move the cursor, recolour or clear the screen (an ESC in an import
 * path) or hide text (a NUL), and the bidirectional overrides that reorder what is shown
 * (Boucher and Anderson 2021, "Trojan Source") are written as escapes: `\x1b`, `\u202e`.
 * JSON output needs none of this: JSON.stringify escapes control characters itself.
 */
// C0 controls but tab, DEL, C1 controls, and the bidirectional embeddings and isolates.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNSAFE = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

export function printable(text: string): string {
  return text.replace(UNSAFE, (c) => {
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

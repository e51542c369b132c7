// Reads scope assertions written under a source line, in the format of vscode-tmgrammar-test
// (so fixtures stay readable and familiar):
//   conv(16, k=3)
//   #    ^^ constant.numeric.integer.nas
//   #<---- support.function.builtin.op.nas      ('<' + n dashes: the first n columns)
// An assertion line is a '#' comment holding only carets or '<-' and scopes; it refers to the
// closest source line above it.

export interface ScopeAssertion {
  /** 0-based line of the asserted source line in the fixture. */
  sourceLine: number;
  /** 1-based line of the assertion itself, for failure messages. */
  assertionLine: number;
  columns: number[];
  scopes: string[];
}

const CARETS = /^(\s*)#(\s*)(\^+)\s+(\S.*)$/;
const ARROW = /^\s*#\s*<(-+)\s+(\S.*)$/;

export function isAssertionLine(text: string): boolean {
  return CARETS.test(text) || ARROW.test(text);
}

export function parseScopeAssertions(lines: readonly string[]): ScopeAssertion[] {
  const assertions: ScopeAssertion[] = [];
  let sourceLine = -1;
  lines.forEach((text, index) => {
    const caret = CARETS.exec(text);
    const arrow = ARROW.exec(text);
    if (!caret && !arrow) {
      sourceLine = index;
      return;
    }
    if (sourceLine < 0) throw new Error(`assertion on line ${index + 1} has no source line above it`);
    let columns: number[];
    let scopeText: string;
    if (caret) {
      const start = caret[1].length + 1 + caret[2].length;
      columns = Array.from({ length: caret[3].length }, (_, i) => start + i);
      scopeText = caret[4];
    } else {
      columns = Array.from({ length: arrow![1].length }, (_, i) => i);
      scopeText = arrow![2];
    }
    assertions.push({ sourceLine, assertionLine: index + 1, columns, scopes: scopeText.trim().split(/\s+/) });
  });
  return assertions;
}

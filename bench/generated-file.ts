/**
 * The generated file of the language-core benchmark (issue 2), in a module of its own: tests
 * and child scripts import it without the benchmark, whose bundle would otherwise run it.
 */

/** A realistic 5,000-line file: 100 blocks of 10 lines and 100 networks of 40 lines. */
export function generateLargeFile(lines = 5000): string {
  const out: string[] = ['import "std/blocks"', ''];
  let b = 0;
  while (out.length < lines * 0.2) {
    out.push(
      `/** Block ${b}: a residual unit. */`,
      `block Unit${b}(C: int, stride: int = 1) {`,
      '  input x',
      '  a = x -> conv(C, k=3, stride=stride) -> bn -> relu',
      '  a -> conv(C, k=3) -> bn',
      '  m = relu',
      `  s = if stride != 1 or x.c != C then x -> conv(C, k=1, stride=stride) -> bn else x`,
      '  add(m, s) -> relu',
      '}',
      '',
    );
    b++;
  }
  let n = 0;
  while (out.length < lines) {
    out.push(`network Net${n} {`, '  input(3, 32, 32)', '  conv(16, k=3) -> bn -> relu');
    for (let i = 0; i < 34; i++) {
      const width = 16 << Math.floor(i / 12);
      const stride = i === 12 || i === 24 ? 2 : 1;
      out.push(i % 2 === 0 ? `  Unit${(n + i) % b}(${width}, stride=${stride})` : `  conv(${width}, k=3, stride=${stride}) -> bn -> relu`);
    }
    out.push('  gap -> fc(10)', '}', '');
    n++;
  }
  return out.slice(0, lines).join('\n') + '\n}\n';
}

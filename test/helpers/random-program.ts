/**
 * Random .nas programs from the grammar, tokens joined by random gaps (spaces, line breaks of
 * all three kinds, comments, or nothing, which can merge tokens): mostly valid text, with every
 * construct in every combination. Seeded, so failures reproduce.
 */
import { Rng } from '../../src/core/util/random.js';

export function generateProgram(rng: Rng): string {
  const random = (): number => rng.next();
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const chance = (p: number): boolean => random() < p;
  const out: string[] = [];
  const name = (): string => pick(['x', 'y', 'conv', 'C', '_t2', 'int', 'any', 'list', 'tensor', 'inputs', 'for_', 'stepper']);
  const ops = ['*', '/', '//', '%', '+', '-', '..', 'step', '==', '!=', '<', '<=', '>', '>=', 'and', 'or', '->'];
  const args = (depth: number, allowEmpty: boolean): void => {
    const n = allowEmpty ? Math.floor(random() * 4) : 1 + Math.floor(random() * 3);
    for (let i = 0; i < n; i++) {
      if (i > 0) out.push(',');
      if (chance(0.4)) out.push(name(), '=');
      expr(depth + 1);
    }
  };
  const primary = (depth: number): void => {
    const r = depth > 3 ? random() * 0.4 : random();
    if (r < 0.15) out.push(pick(['0', '3', '16', '2.5', '1e3', '7E-2', '4e+1', '600M', '3.5k', '1G', '2T', '1.5e3k']));
    else if (r < 0.4) out.push(name());
    else if (r < 0.45) out.push(pick(['"s"', "'t'", '"a \\" b"', "'it\\'s'", '""', '"\\n\\t"']));
    else if (r < 0.5) out.push(pick(['true', 'false']));
    else if (r < 0.6) {
      out.push('[');
      const n = Math.floor(random() * 3);
      for (let i = 0; i < n; i++) {
        if (i > 0) out.push(',');
        expr(depth + 1);
      }
      out.push(']');
    } else if (r < 0.7) {
      out.push('(');
      expr(depth + 1);
      out.push(')');
    } else if (r < 0.8) {
      out.push(pick(['-', 'not']));
      postfix(depth + 1);
    } else if (r < 0.87) {
      out.push('if');
      expr(depth + 1);
      out.push('then');
      expr(depth + 1);
      out.push('else');
      expr(depth + 1);
    } else out.push(name());
  };
  const postfix = (depth: number): void => {
    primary(depth);
    while (depth < 4 && chance(0.3)) {
      const r = random();
      if (r < 0.5) {
        out.push('(');
        args(depth, true);
        out.push(')');
      } else if (r < 0.75) out.push('.', name());
      else {
        out.push('[');
        expr(depth + 1);
        out.push(']');
      }
    }
  };
  const expr = (depth: number): void => {
    postfix(depth);
    while (depth < 4 && chance(0.35)) {
      out.push(pick(ops));
      postfix(depth + 1);
    }
  };
  const statement = (depth: number): void => {
    const r = random();
    if (r < 0.1) out.push('let', name(), '=');
    else if (r < 0.2) {
      out.push('input');
      if (chance(0.5)) {
        out.push('(');
        args(depth, false);
        out.push(')');
      } else {
        out.push(name());
        while (chance(0.4)) out.push(',', name());
      }
      return;
    } else if (r < 0.3) out.push('output');
    else if (r < 0.38 && depth < 2) {
      out.push('for', name(), 'in');
      expr(1);
      out.push('{');
      while (chance(0.6)) statement(depth + 1);
      out.push('}');
      return;
    } else if (r < 0.7) out.push(name(), '=');
    expr(0);
  };
  const element = (): void => {
    const r = random();
    if (r < 0.1) out.push('import', pick(['"std/blocks"', "'x.nas'"]));
    else if (r < 0.3) {
      out.push('let', name(), '=');
      expr(0);
    } else if (r < 0.85) {
      out.push(pick(['op', 'fn', 'block', 'cell', 'network', 'space']), name());
      if (chance(0.6)) {
        out.push('(');
        const n = Math.floor(random() * 4);
        for (let i = 0; i < n; i++) {
          if (i > 0) out.push(',');
          if (chance(0.2)) out.push('*');
          out.push(name());
          if (chance(0.4)) out.push(':', pick(['int', 'float', 'bool', 'string', 'tensor', 'layer', 'list', 'any']));
          if (chance(0.3)) {
            out.push('=');
            expr(1);
          }
        }
        out.push(')');
      }
      if (chance(0.8)) {
        out.push('{');
        while (chance(0.75)) statement(0);
        out.push('}');
      }
    } else {
      out.push('search', pick(['S', 'find']), '{');
      while (chance(0.8)) {
        const item = pick(['space', 'strategy', 'objective', 'constraint', 'evaluator', 'budget', 'seed']);
        if (item === 'space') out.push('space', pick(['Net', 'S']));
        else if (item === 'strategy' || item === 'evaluator') {
          out.push(item, pick(['random', 'evo']));
          if (chance(0.5)) {
            out.push('(');
            args(1, true);
            out.push(')');
          }
        } else if (item === 'objective') out.push(pick(['maximize', 'minimize']), pick(['acc', 'latency']));
        else if (item === 'constraint') {
          out.push('constraint', 'macs', pick(['<=', '<', '>=', '>', '==', '!=']));
          expr(1);
        } else if (item === 'budget') {
          out.push('budget');
          if (chance(0.5)) {
            out.push('(');
            args(1, false);
            out.push(')');
          } else expr(1);
        } else {
          out.push('seed');
          expr(1);
        }
      }
      out.push('}');
    }
  };
  const count = 1 + Math.floor(random() * 4);
  for (let i = 0; i < count; i++) element();
  const gaps = [' ', ' ', ' ', '\n', '\n  ', '\r\n', '\r', '\t', '', ' /* c */ ', '/**/', ' # c\n', '\n# c\r\n', ' /* a\r\nb */ ', '\u00a0'];
  let text = chance(0.2) ? pick(['# head\n', '/* head */', '\n\n', '\r\n']) : '';
  for (let i = 0; i < out.length; i++) text += (i > 0 ? pick(gaps) : '') + out[i];
  return text + (chance(0.3) ? pick(['\n', ' # tail', '/* tail */\n', '\r']) : '');
}

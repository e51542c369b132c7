#!/usr/bin/env node
// Runs npm scripts side by side (`npm test`: typecheck, lint and format:check are independent and
// each mostly single-threaded, so on two cores together they take about half as long). Each
// script's output is printed whole when it ends, not interleaved; the exit code is 1 when any
// script failed.
import { spawn } from 'node:child_process';

const scripts = process.argv.slice(2);
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

const runs = scripts.map((name) =>
  new Promise((resolve) => {
    const child = spawn(npm, ['run', '--silent', name], { stdio: ['ignore', 'pipe', 'pipe'] });
    const out = [];
    child.stdout.on('data', (d) => out.push(d));
    child.stderr.on('data', (d) => out.push(d));
    child.on('error', (e) => resolve({ name, code: 1, text: String(e) }));
    child.on('close', (code) => resolve({ name, code: code ?? 1, text: Buffer.concat(out).toString() }));
  }).then((r) => {
    process.stdout.write(`> ${r.name}: ${r.code === 0 ? 'ok' : `failed (exit ${r.code})`}\n${r.text}`);
    return r.code;
  }),
);

const codes = await Promise.all(runs);
process.exit(codes.some((c) => c !== 0) ? 1 : 0);

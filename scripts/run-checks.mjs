#!/usr/bin/env node
// Runs npm scripts side by side (`npm test`: typecheck, lint and format:check are independent and
// each mostly single-threaded) and, after `--`, one command with the terminal (the tests): the
// checks fill the core the tests leave idle while they wait on child processes, so the whole
// takes about as long as the tests alone. Each script's output is printed whole, after the
// command ends, so it never cuts into the command's own output; the exit code is 1 when
// anything failed.
import { spawn } from 'node:child_process';

const args = process.argv.slice(2);
const split = args.indexOf('--');
const scripts = split < 0 ? args : args.slice(0, split);
const command = split < 0 ? [] : args.slice(split + 1);
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

const checks = scripts.map(
  (name) =>
    new Promise((resolve) => {
      const child = spawn(npm, ['run', '--silent', name], { stdio: ['ignore', 'pipe', 'pipe'] });
      const out = [];
      child.stdout.on('data', (d) => out.push(d));
      child.stderr.on('data', (d) => out.push(d));
      child.on('error', (e) => resolve({ name, code: 1, text: String(e) }));
      child.on('close', (code) => resolve({ name, code: code ?? 1, text: Buffer.concat(out).toString() }));
    }),
);

const main =
  command.length === 0
    ? Promise.resolve(0)
    : new Promise((resolve) => {
        const child = spawn(command[0], command.slice(1), { stdio: 'inherit', shell: process.platform === 'win32' });
        child.on('error', (e) => {
          process.stderr.write(`${command[0]}: ${e.message}\n`);
          resolve(1);
        });
        child.on('close', (code) => resolve(code ?? 1));
      });

const mainCode = await main;
const results = await Promise.all(checks);
for (const r of results) process.stdout.write(`> ${r.name}: ${r.code === 0 ? 'ok' : `failed (exit ${r.code})`}\n${r.text}`);
const failed = results.filter((r) => r.code !== 0).map((r) => r.name);
if (failed.length > 0) process.stdout.write(`\nfailed: ${failed.join(', ')}\n`);
process.exit(mainCode !== 0 || failed.length > 0 ? 1 : 0);

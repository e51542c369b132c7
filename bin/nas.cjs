#!/usr/bin/env node
// The `nas` command: the bundled CLI (npm run build makes dist/cli.cjs), run from V8's code
// cache when there is one. Compiling the 3 MB bundle and the functions a command calls is a
// fifth of a short command's time (docs/adr/0026-test-command-time.md); Node 20 has no
// module.enableCompileCache, so this does what v8-compile-cache does: compile the bundle as a
// vm.Script with the cached data, and after a run that had none (or had it rejected) store the
// code V8 compiled, named by a hash of the bundle and the Node version, in the user's cache
// folder. Anything wrong with the cache (unreadable, rejected, not writable) only costs the
// compile; NAS_NO_CODE_CACHE=1 turns it off.
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const bundle = path.join(__dirname, '../dist/cli.cjs');

/** The folder of NAS Studio's caches (the supernet store's too): $XDG_CACHE_HOME or ~/.cache. */
function cacheFolder() {
  if (process.env.NAS_NO_CODE_CACHE) return undefined;
  const xdg = process.env.XDG_CACHE_HOME;
  return path.join(xdg && path.isAbsolute(xdg) ? xdg : path.join(os.homedir(), '.cache'), 'nas-studio');
}

/** Loads dist/cli.cjs like `require` does, compiled with the cached code when it is valid. */
function loadCached(folder) {
  const crypto = require('node:crypto');
  const vm = require('node:vm');
  const Module = require('node:module');
  const source = fs.readFileSync(bundle, 'utf8');
  const hash = (...parts) =>
    parts
      .reduce((h, p) => h.update(p), crypto.createHash('sha256'))
      .digest('hex')
      .slice(0, 24);
  // One cache per installed bundle (the editor's and a global install may differ), per content.
  const prefix = `cli-${hash(bundle)}-`;
  const file = path.join(folder, `${prefix}${hash(`${process.version} ${process.arch}\n`, source)}.v8cache`);
  let cachedData;
  try {
    cachedData = fs.readFileSync(file);
  } catch {
    cachedData = undefined;
  }
  const script = new vm.Script(Module.wrap(source), { filename: bundle, cachedData });
  const mod = new Module(bundle, module);
  mod.filename = bundle;
  mod.paths = Module._nodeModulePaths(path.dirname(bundle));
  require.cache[bundle] = mod;
  script.runInThisContext()(mod.exports, Module.createRequire(bundle), mod, bundle, path.dirname(bundle));
  mod.loaded = true;
  if (!cachedData || script.cachedDataRejected) {
    // After the command, so that the cache holds the functions it compiled too.
    process.once('exit', () => {
      try {
        fs.mkdirSync(folder, { recursive: true });
        for (const old of fs.readdirSync(folder)) if (old.startsWith(prefix)) fs.rmSync(path.join(folder, old), { force: true });
        const temp = `${file}.${process.pid}`;
        fs.writeFileSync(temp, script.createCachedData());
        fs.renameSync(temp, file);
      } catch {
        // A cache that cannot be written is not an error of the command.
      }
    });
  }
  return mod.exports;
}

function load() {
  const folder = cacheFolder();
  if (folder) {
    try {
      return loadCached(folder);
    } catch {
      // Fall back to a plain require (which reports a missing or broken bundle itself).
      delete require.cache[bundle];
    }
  }
  return require(bundle);
}

load().main();

#!/usr/bin/env node
// The `nas` command: the bundled CLI (npm run build makes dist/cli.cjs).
require('../dist/cli.cjs').main();

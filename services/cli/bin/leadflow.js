#!/usr/bin/env node
// The compiled command lives in ../dist (npm install builds it); this file only loads it.
import('../dist/main.js').catch((err) => {
  process.stderr.write(`leadflow: ${err.code === 'ERR_MODULE_NOT_FOUND' ? 'not built yet: run npm install (or npm run build) in the repository' : err.message}\n`);
  process.exit(1);
});

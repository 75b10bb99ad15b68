#!/usr/bin/env node
// Validate an AsyncAPI document with the official parser (@asyncapi/parser, pinned in package-lock.json).
//
// usage: node tools/asyncapi/validate.cjs DOCUMENT [--strict]
// Prints one JSON object: {valid, asyncapi, channels, operations, messages, diagnostics[]}.
// Exit 0 when the parser reports no error (with --strict: no error and no warning), 1 otherwise,
// 2 on a usage or set-up error. The parser is loaded from $CUSTODES_NPM_MODULES, default
// <repo>/.tools/npm/node_modules (installed by `make install`).
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const { createRequire } = require('node:module');

const SEVERITY = ['error', 'warning', 'information', 'hint'];

function loadParser() {
  const modules = process.env.CUSTODES_NPM_MODULES || path.resolve(__dirname, '../../.tools/npm/node_modules');
  try {
    return createRequire(path.join(modules, 'noop.js'))('@asyncapi/parser');
  } catch (err) {
    console.error(`@asyncapi/parser not found under ${modules}: run \`make install\` (${err.message})`);
    process.exit(2);
  }
}

async function main() {
  const args = process.argv.slice(2);
  const strict = args.includes('--strict');
  const files = args.filter((a) => !a.startsWith('--'));
  if (files.length !== 1) {
    console.error('usage: validate.cjs DOCUMENT [--strict]');
    process.exit(2);
  }
  const { Parser } = loadParser();
  const source = fs.readFileSync(files[0], 'utf8');
  const { document, diagnostics } = await new Parser().parse(source, { source: path.resolve(files[0]) });
  const found = diagnostics.map((d) => ({
    severity: SEVERITY[d.severity] || String(d.severity),
    code: String(d.code),
    message: d.message,
    path: d.path.join('/'),
  }));
  const failing = found.filter((d) => d.severity === 'error' || (strict && d.severity === 'warning'));
  const report = {
    valid: document !== undefined && failing.length === 0,
    asyncapi: document ? document.version() : null,
    channels: document ? document.channels().all().map((c) => c.address()) : [],
    operations: document ? document.operations().all().map((o) => o.id()) : [],
    messages: document ? document.components().messages().all().map((m) => m.id()) : [],
    diagnostics: found,
  };
  console.log(JSON.stringify(report, null, 2));
  process.exit(report.valid ? 0 : 1);
}

main().catch((err) => {
  console.error(err && err.stack ? err.stack : String(err));
  process.exit(2);
});

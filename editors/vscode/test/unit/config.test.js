// Unit tests of the pure helpers in src/config.ts (bundled to out/config.js by `npm run test:unit`).
'use strict';
const test = require('node:test');
const assert = require('node:assert');
const path = require('node:path');
const { toServerConfig, resolveServerPath, notFoundMessage } = require('../../out/config.js');

test('settings map to the server configuration shape', () => {
  const { config, problems } = toServerConfig({
    severity: { 'unattributed-quote': 'error', 'unused-entity': 'off' },
    reportingVerbs: ['quipped', ' ', 'mused '],
    minQuoteWords: 3,
    quoteStyle: 'single',
  });
  assert.deepStrictEqual(problems, []);
  assert.deepStrictEqual(config, {
    severity: { 'unattributed-quote': 'error', 'unused-entity': 'off' },
    attribution: { 'reporting-verbs': ['quipped', 'mused'], 'min-quote-words': 3, 'quote-style': 'single' },
  });
});

test('unset settings send nothing, so newsmark.toml keeps its say', () => {
  assert.deepStrictEqual(toServerConfig({ severity: {}, reportingVerbs: [], minQuoteWords: null, quoteStyle: null }), {
    config: {},
    problems: [],
  });
});

test('invalid values are reported and left out', () => {
  const { config, problems } = toServerConfig({
    severity: { 'no-such-rule': 'error', syntax: 'loud', 'unused-entity': 'hint' },
    reportingVerbs: 'said',
    minQuoteWords: 0,
    quoteStyle: 'curly',
  });
  assert.deepStrictEqual(config, { severity: { 'unused-entity': 'hint' } });
  assert.strictEqual(problems.length, 5, problems.join('\n'));
  assert.match(problems.join('\n'), /no-such-rule/);
});

test('binary lookup: PATH, absolute, relative and ${workspaceFolder}', () => {
  const present = new Set(['/opt/bin/newsmark', '/ws/target/debug/newsmark']);
  const isExecutable = (f) => present.has(f);
  const env = { PATH: '/usr/bin:/opt/bin' };
  assert.strictEqual(resolveServerPath(undefined, { env, isExecutable, platform: 'linux' }).path, '/opt/bin/newsmark');
  assert.strictEqual(resolveServerPath('', { env, isExecutable, platform: 'linux' }).path, '/opt/bin/newsmark');
  assert.strictEqual(resolveServerPath('/opt/bin/newsmark', { env, isExecutable, platform: 'linux' }).path, '/opt/bin/newsmark');
  assert.strictEqual(
    resolveServerPath('target/debug/newsmark', { env, isExecutable, platform: 'linux', workspaceFolder: '/ws' }).path,
    '/ws/target/debug/newsmark',
  );
  assert.strictEqual(
    resolveServerPath('${workspaceFolder}/target/debug/newsmark', { env, isExecutable, platform: 'linux', workspaceFolder: '/ws' }).path,
    '/ws/target/debug/newsmark',
  );
  const missing = resolveServerPath('newsmark', { env: { PATH: '/usr/bin' }, isExecutable, platform: 'linux' });
  assert.strictEqual(missing.path, undefined);
  assert.deepStrictEqual(missing.tried, ['/usr/bin/newsmark']);
  const msg = notFoundMessage(missing);
  assert.match(msg, /set newsmark\.server\.path or put newsmark on PATH; build it with cargo install --path \./i);
});

test('binary lookup on Windows tries PATHEXT', () => {
  const r = resolveServerPath('newsmark', {
    env: { PATH: 'C:\\tools', PATHEXT: '.EXE;.CMD' },
    platform: 'win32',
    isExecutable: (f) => f === path.win32.join('C:\\tools', 'newsmark.EXE'),
  });
  assert.strictEqual(r.path, 'C:\\tools\\newsmark.EXE');
});

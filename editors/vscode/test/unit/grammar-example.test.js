// Tokenizes the real example article with the TextMate grammar (same engine as VS Code) and checks
// properties that assertion files cannot express for a whole file: nothing is marked invalid,
// no quotation leaks past its paragraph, and every mention and definition is recognised.
'use strict';
const test = require('node:test');
const assert = require('node:assert');
const fs = require('node:fs');
const path = require('node:path');
const vsctm = require('vscode-textmate');
const oniguruma = require('vscode-oniguruma');

const root = path.join(__dirname, '..', '..');
const example = process.env.NEWSMARK_EXAMPLE || path.join(root, '..', '..', 'examples', 'lavrov-tokyo.nmk');

async function loadGrammar() {
  const wasm = fs.readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm')).buffer;
  await oniguruma.loadWASM(wasm);
  const registry = new vsctm.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (p) => new oniguruma.OnigScanner(p),
      createOnigString: (s) => new oniguruma.OnigString(s),
    }),
    loadGrammar: async () =>
      vsctm.parseRawGrammar(fs.readFileSync(path.join(root, 'syntaxes', 'newsmark.tmLanguage.json'), 'utf8'), 'newsmark.tmLanguage.json'),
  });
  return registry.loadGrammar('text.newsmark');
}

function tokenize(grammar, text) {
  let stack = vsctm.INITIAL;
  const out = [];
  text.split(/\r?\n/).forEach((line, i) => {
    const r = grammar.tokenizeLine(line, stack);
    out.push({ line, n: i + 1, tokens: r.tokens, startStack: stack });
    stack = r.ruleStack;
  });
  return out;
}

test('the example article tokenizes cleanly', async () => {
  const grammar = await loadGrammar();
  const text = fs.readFileSync(example, 'utf8');
  const lines = tokenize(grammar, text);
  const scopesOf = (l, t) => ({ text: l.line.slice(t.startIndex, t.endIndex), scopes: t.scopes });

  const invalid = lines.flatMap((l) => l.tokens.filter((t) => t.scopes.some((s) => s.startsWith('invalid'))).map((t) => `${l.n}: ${JSON.stringify(scopesOf(l, t))}`));
  assert.deepStrictEqual(invalid, [], 'tokens marked invalid');

  // A blank line always closes any quotation: the token stream of a blank line must not be in a string.
  const leaking = lines.filter((l) => l.line.trim() === '' && l.tokens.some((t) => t.scopes.some((s) => s.startsWith('string.quoted'))));
  assert.deepStrictEqual(leaking.map((l) => l.n), [], 'quotation scope on a blank line');

  const count = (scope) => lines.reduce((n, l) => n + l.tokens.filter((t) => t.scopes.includes(scope)).length, 0);
  const defs = (text.match(/^@[A-Za-z0-9_.-]+:/gm) || []).length;
  assert.strictEqual(count('entity.name.type.entity.newsmark'), defs, 'every definition recognised');
  const spans = (text.match(/\]\{@[A-Za-z0-9_.-]+\}/g) || []).length;
  assert.strictEqual(lines.reduce((n, l) => n + l.tokens.filter((t) => t.scopes.includes('meta.mention.span.newsmark') && t.scopes.includes('variable.other.entity.newsmark')).length, 0), spans, 'every span mention recognised');
  assert.ok(count('comment.line.percentage.newsmark') >= 2, 'comments');
  assert.ok(count('punctuation.definition.heading.newsmark') >= 4, 'headings');
  assert.ok(count('support.type.property-name.frontmatter.newsmark') >= 5, 'front matter keys');
  // Every quotation that opens in the article also closes on its line or paragraph.
  const opens = count('punctuation.definition.string.begin.newsmark');
  const closes = count('punctuation.definition.string.end.newsmark');
  assert.ok(opens >= 10, `quotations found: ${opens}`);
  // definition names are quoted strings too; the article has balanced quotation marks
  assert.strictEqual(opens, closes, 'balanced quotations');
});

test('CRLF line ends and a BOM are handled', async () => {
  const grammar = await loadGrammar();
  const lines = tokenize(grammar, '\uFEFF---\r\ntitle: x\r\n---\r\n@a: person "A"\r\n  role: r\r\n\r\n"Hi there, friend," @a said.\r\n');
  const fm = lines[1].tokens.find((t) => t.scopes.includes('support.type.property-name.frontmatter.newsmark'));
  assert.ok(fm, 'front matter after a BOM');
  assert.ok(lines[4].tokens.some((t) => t.scopes.includes('support.type.property-name.newsmark')), 'property');
  assert.ok(lines[6].tokens.some((t) => t.scopes.includes('string.quoted.double.newsmark')), 'quotation');
});

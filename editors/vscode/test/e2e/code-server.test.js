#!/usr/bin/env node
// End-to-end test of the packaged extension in the real VS Code workbench: code-server (the VS Code
// server from npm) driven by playwright-core through Debian's chromium.
//
//   node test/e2e/code-server.test.js
//
// Environment (defaults in brackets):
//   CODE_SERVER      code-server binary      [editors/.cache/code-server/node_modules/.bin/code-server]
//   NEWSMARK_VSIX    the packaged extension  [editors/vscode/newsmark.vsix]
//   NEWSMARK_BIN     the server binary       [target/debug/newsmark]
//   NEWSMARK_EXAMPLE the article to open     [examples/lavrov-tokyo.nmk]
//   CHROMIUM         [/usr/bin/chromium]     E2E_KEEP=1 keeps the test folder     CONSOLE=1 browser console
//
// Scenario: a fresh user-data folder whose settings.json first points newsmark.server.path at a
// missing file (the extension must say how to fix it), then at the real binary (the extension must
// restart the server on the settings change); the server's diagnostics must reach the Problems
// panel and a hover over a mention must show the entity's card. Screenshot + logs on failure.
'use strict';
const { spawn, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const http = require('node:http');

const EXT_DIR = path.resolve(__dirname, '..', '..');
const REPO = path.resolve(EXT_DIR, '..', '..');
const env = (name, dflt) => process.env[name] || dflt;
const CODE_SERVER = env('CODE_SERVER', path.join(REPO, 'editors/.cache/code-server/node_modules/.bin/code-server'));
const VSIX = env('NEWSMARK_VSIX', path.join(EXT_DIR, 'newsmark.vsix'));
const BIN = path.resolve(env('NEWSMARK_BIN', path.join(REPO, 'target/debug/newsmark')));
const EXAMPLE = env('NEWSMARK_EXAMPLE', path.join(REPO, 'examples/lavrov-tokyo.nmk'));
const CHROMIUM = env('CHROMIUM', '/usr/bin/chromium');
const TOTAL_TIMEOUT_MS = Number(env('E2E_TIMEOUT_MS', 360000));

const t0 = Date.now();
const log = (...a) => console.log(`[e2e ${((Date.now() - t0) / 1000).toFixed(1).padStart(5)}s]`, ...a);
let currentStep = '(setup)';
async function step(name, fn) {
  currentStep = name;
  const s = Date.now();
  const r = await fn();
  log(`ok   ${name} (${((Date.now() - s) / 1000).toFixed(1)}s)`);
  return r;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function get(url) {
  return new Promise((resolve) => {
    const req = http.get(url, (res) => {
      res.resume();
      resolve(res.statusCode);
    });
    req.on('error', () => resolve(0));
    req.setTimeout(2000, () => {
      req.destroy();
      resolve(0);
    });
  });
}

async function main() {
  for (const [what, p] of [['code-server', CODE_SERVER], ['vsix', VSIX], ['newsmark binary', BIN], ['example', EXAMPLE], ['chromium', CHROMIUM]]) {
    if (!p || !fs.existsSync(p)) throw new Error(`${what} not found at ${p} (run scripts/setup-editors.sh, npm run package, cargo build)`);
  }
  const { chromium } = require('playwright-core');

  // Everything lives in one fresh folder, TMPDIR included (code-server leaves sockets there).
  const base = path.join(REPO, 'editors', '.cache', 'e2e');
  fs.mkdirSync(base, { recursive: true });
  const root = fs.mkdtempSync(path.join(base, 'run-'));
  const dirs = {
    userData: path.join(root, 'user-data'),
    ext: path.join(root, 'extensions'),
    ws: path.join(root, 'workspace'),
    tmp: path.join(root, 'tmp'),
    profile: path.join(root, 'chromium-profile'),
  };
  for (const d of Object.values(dirs)) fs.mkdirSync(d, { recursive: true });
  fs.mkdirSync(path.join(dirs.userData, 'User'), { recursive: true });
  const settingsFile = path.join(dirs.userData, 'User', 'settings.json');
  const baseSettings = {
    'workbench.startupEditor': 'none',
    'workbench.tips.enabled': false,
    'workbench.enableExperiments': false,
    'security.workspace.trust.enabled': false,
    'telemetry.telemetryLevel': 'off',
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    'update.mode': 'none',
    'editor.hover.delay': 200,
    'editor.minimap.enabled': false,
    'editor.wordWrap': 'on',
    'git.enabled': false,
  };
  const missing = path.join(root, 'missing', 'newsmark');
  const writeSettings = (serverPath) =>
    fs.writeFileSync(settingsFile, JSON.stringify({ ...baseSettings, 'newsmark.server.path': serverPath }, null, 2));
  writeSettings(missing);
  const cfg = path.join(root, 'config.yaml');
  fs.writeFileSync(cfg, 'auth: none\ncert: false\n');

  // The article with one undefined entity and one unattributed quotation appended.
  const article = fs.readFileSync(EXAMPLE, 'utf8').replace(/\s*$/, '\n') +
    '\n%% Deliberately broken by the editor tests:\nTalks with @undefined_person went on.\n\n' +
    '"This quotation has no speaker anywhere in the prose of its paragraph," a source close to the talks said.\n';
  fs.writeFileSync(path.join(dirs.ws, 'lavrov-tokyo.nmk'), article);
  const lines = article.split('\n');
  const hoverLine = lines.findIndex((l) => l.includes('[Sergey Lavrov]{@lavrov}')) + 1;
  const hoverCol = lines[hoverLine - 1].indexOf('[Sergey Lavrov]{@lavrov}') + '[Sergey Lavrov]{@'.length + 1;
  const undefinedLine = lines.findIndex((l) => l.includes('@undefined_person')) + 1;
  if (hoverLine < 1) throw new Error('the example has no [Sergey Lavrov]{@lavrov} span to hover');

  const childEnv = { ...process.env, TMPDIR: dirs.tmp, XDG_CONFIG_HOME: path.join(root, 'xdg-config'), XDG_DATA_HOME: path.join(root, 'xdg-data') };
  const common = ['--config', cfg, '--user-data-dir', dirs.userData, '--extensions-dir', dirs.ext];
  let cs, ctx, page;
  // Replaces the user settings through the settings.json editor of the workbench, as a user would.
  const editSettings = async (extra) => {
    const wanted = JSON.stringify({ ...baseSettings, ...extra });
    for (let attempt = 1; ; attempt++) {
      await runCommand('Preferences: Open User Settings (JSON)');
      const tab = page.locator('.tab.active', { hasText: 'settings.json' });
      await tab.waitFor({ timeout: 15000 });
      const editor = page.locator('.editor-instance .monaco-editor', { hasText: 'workbench.startupEditor' }).first();
      await editor.waitFor({ timeout: 15000 });
      await editor.locator('.view-lines').click();
      await page.keyboard.press('Control+A');
      await page.keyboard.insertText(wanted);
      // Drop whatever auto-closing added after the cursor.
      await page.keyboard.press('Control+Shift+End');
      await page.keyboard.press('Delete');
      await page.keyboard.press('Control+S');
      let onDisk = '';
      for (let i = 0; i < 50 && onDisk !== wanted; i++) {
        onDisk = fs.readFileSync(settingsFile, 'utf8').trim();
        if (onDisk !== wanted) await new Promise((r) => setTimeout(r, 200));
      }
      if (onDisk === wanted) break;
      if (attempt === 3) throw new Error('could not save settings.json through the editor; on disk: ' + onDisk);
      log(`     settings.json not saved as expected (attempt ${attempt}), retrying`);
    }
  };
  const gotoLine = async (n) => {
    await page.keyboard.press('Escape');
    await page.keyboard.press('Control+1'); // focus the (first) editor group: the article
    await page.keyboard.press('Control+G');
    await page.locator('.quick-input-widget input').waitFor({ timeout: 10000 });
    await page.keyboard.type(String(n));
    await page.keyboard.press('Enter');
  };
  const runCommand = async (title) => {
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ timeout: 10000 });
    await input.fill('>' + title);
    await page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().waitFor({ timeout: 10000 });
    await page.keyboard.press('Enter');
  };
  let csLog = '';
  let ok = false;
  try {
    await step('install the vsix into code-server', async () => {
      const out = execFileSync(CODE_SERVER, [...common, '--install-extension', VSIX], { env: childEnv, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      if (!/successfully installed/i.test(out)) throw new Error(`install output: ${out}`);
    });

    const port = await freePort();
    await step('start code-server', async () => {
      cs = spawn(CODE_SERVER, [...common, '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`, '--disable-telemetry',
        '--disable-update-check', '--disable-workspace-trust', '--disable-getting-started-override', '--ignore-last-opened', dirs.ws],
      { env: childEnv, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
      const keep = (b) => { csLog = (csLog + b.toString()).slice(-20000); };
      cs.stdout.on('data', keep);
      cs.stderr.on('data', keep);
      const deadline = Date.now() + 60000;
      while ((await get(`http://127.0.0.1:${port}/healthz`)) !== 200) {
        if (cs.exitCode !== null) throw new Error(`code-server exited with ${cs.exitCode}`);
        if (Date.now() > deadline) throw new Error('code-server did not answer /healthz within 60 s');
        await new Promise((r) => setTimeout(r, 250));
      }
    });

    await step('open the workbench in chromium', async () => {
      ctx = await chromium.launchPersistentContext(dirs.profile, {
        executablePath: CHROMIUM, headless: true, viewport: { width: 1400, height: 900 },
        args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
          '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
        env: childEnv,
      });
      page = ctx.pages()[0] || (await ctx.newPage());
      if (process.env.CONSOLE) page.on('console', (m) => log('console:', m.text()));
      await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(dirs.ws)}`, { timeout: 120000 });
      await page.locator('.monaco-workbench').waitFor({ timeout: 120000 }); // slow under load
    });

    await step('open the article (language newsmark)', async () => {
      await page.getByRole('treeitem', { name: /lavrov-tokyo\.nmk/ }).dblclick({ timeout: 30000 });
      await page.locator('.monaco-editor .view-line').first().waitFor({ timeout: 30000 });
      // The status bar shows the language mode contributed by the extension.
      await page.locator('.statusbar-item', { hasText: /^Newsmark$/ }).first().waitFor({ timeout: 30000 });
    });

    await step('missing binary: the error says how to fix it', async () => {
      const toast = page.locator('.notification-toast, .notifications-center').filter({ hasText: 'cannot find the language server binary' });
      await toast.first().waitFor({ timeout: 30000 });
      const text = await toast.first().innerText();
      for (const want of ['newsmark.server.path', 'put newsmark on PATH', 'cargo install --path .']) {
        if (!text.includes(want)) throw new Error(`the error message lacks "${want}": ${text}`);
      }
    });

    await step('set newsmark.server.path in the settings editor: the server (re)starts', async () => {
      // The extension restarts its client when newsmark.server.* changes.
      await editSettings({ 'newsmark.server.path': BIN, 'newsmark.severity': { 'undefined-entity': 'warning' } });
      await page.locator('.tab', { hasText: 'lavrov-tokyo.nmk' }).first().click();
    });

    await step('diagnostics arrive in the Problems panel', async () => {
      await page.keyboard.press('Control+Shift+M');
      const panel = page.locator('.markers-panel');
      await panel.waitFor({ timeout: 15000 });
      await panel.getByText(/undefined_person/).first().waitFor({ timeout: 45000 });
      const rows = await panel.locator('.monaco-list-row').allInnerTexts();
      const mine = rows.filter((r) => r.includes('undefined_person')).map((r) => r.replace(/\s+/g, ' ').trim());
      log(`     Problems: ${rows.length} rows; ${mine.join(' | ')}`);
      const txt = rows.join('\n');
      if (!/undefined-entity/.test(txt)) throw new Error('the problem does not show its code undefined-entity: ' + txt);
      // newsmark.severity reached the server (initializationOptions): undefined-entity is a warning.
      // 'attached', not visible: a focused row shows a lightbulb (quick fixes) in place of its icon.
      await panel.locator('.monaco-list-row', { hasText: 'undefined_person' }).locator('.codicon-warning').first().waitFor({ state: 'attached', timeout: 15000 });
      // And the squiggle under the broken line in the editor.
      await gotoLine(undefinedLine);
      await page.locator('.monaco-editor .squiggly-warning').first().waitFor({ timeout: 15000 });
    });

    await step('a settings change reaches the running server (didChangeConfiguration)', async () => {
      await editSettings({ 'newsmark.server.path': BIN, 'newsmark.severity': { 'undefined-entity': 'error' } });
      await page.locator('.tab', { hasText: 'lavrov-tokyo.nmk' }).first().click();
      const panel = page.locator('.markers-panel');
      await panel.locator('.monaco-list-row', { hasText: 'undefined_person' }).locator('.codicon-error').first().waitFor({ state: 'attached', timeout: 20000 });
      const out = fs.readdirSync(dirs.userData, { recursive: true }).filter((f) => String(f).endsWith('Newsmark.log'));
      const started = out.map((f) => fs.readFileSync(path.join(dirs.userData, String(f)), 'utf8')).join('').match(/Server started/g) || [];
      if (started.length > 1) throw new Error(`the server was restarted for a severity change (${started.length} starts)`);
    });

    await step(`hover over @lavrov (line ${hoverLine}) shows the entity card`, async () => {
      // Put the cursor on the ID of {@lavrov} (line:column scrolls it into view), then hover it.
      await gotoLine(`${hoverLine}:${hoverCol}`);
      // The cursor now stands just before the "l" of lavrov: hover a few pixels to its right.
      await page.waitForTimeout(300);
      const cursor = page.locator('.editor-group-container.active .monaco-editor.focused .cursor').first();
      await cursor.waitFor({ timeout: 10000 });
      const cbox = await cursor.boundingBox();
      if (!cbox) throw new Error('no cursor on screen');
      const box = { x: cbox.x + 4, y: cbox.y, width: 12, height: cbox.height };
      const hover = page.locator('.monaco-hover-content').filter({ hasText: 'Sergey Lavrov' }).first();
      for (let attempt = 0; attempt < 3; attempt++) {
        await page.mouse.move(box.x + 2, box.y + box.height / 2);
        await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2, { steps: 4 });
        try {
          await hover.waitFor({ timeout: 8000 });
          break;
        } catch (e) {
          if (attempt === 2) throw new Error('no hover card naming Sergey Lavrov (mouse, then keyboard Ctrl+K Ctrl+I)');
          await page.mouse.move(5, 5);
          if (attempt === 1) {
            // Last resort: the keyboard "Show Hover" at the cursor, which sits on the same token.
            await page.keyboard.press('Control+K');
            await page.keyboard.press('Control+I');
          }
        }
      }
      log('     Hover:', (await hover.innerText()).replace(/\s+/g, ' ').slice(0, 160));
    });

    await step('command "Newsmark: Show Output" shows the server log', async () => {
      await page.mouse.move(5, 5);
      await page.keyboard.press('Escape');
      await runCommand('Newsmark: Show Output');
      await page.locator('.output-view, .panel').getByText(/Server\s+started/).first().waitFor({ timeout: 15000 });
    });
    await step('command "Newsmark: Restart Language Server" restarts it', async () => {
      await runCommand('Newsmark: Restart Language Server');
      await page.locator('.output-view, .panel').getByText(/Restarting\s+the\s+server/).first().waitFor({ timeout: 15000 });
      await page.waitForFunction(() => (document.body.innerText.match(/Server\sstarted/g) || []).length >= 2, null, { timeout: 20000 })
        .catch(async () => {
          const text = await page.locator('.output-view, .panel').first().innerText();
          throw new Error('no second "Server started" in the output: ' + text.slice(-500));
        });
    });
    ok = true;
  } catch (err) {
    console.error(`[e2e] FAIL at step "${currentStep}": ${err && err.message ? err.message.split('\n').slice(0, 4).join(' | ') : err}`);
    if (page) {
      const shot = path.join(root, 'failure.png');
      await page.screenshot({ path: shot }).catch(() => {});
      console.error(`[e2e] screenshot: ${shot}`);
    }
    console.error('[e2e] code-server log tail:\n' + csLog.split('\n').slice(-25).join('\n'));
    try {
      const logs = execFileSync('find', [dirs.userData, '-name', '*.log', '-path', '*exthost*'], { encoding: 'utf8' }).trim().split('\n').filter(Boolean);
      for (const f of logs) {
        const rel = fs.readFileSync(f, 'utf8').split('\n').filter((l) => /newsmark/i.test(l)).slice(-15);
        if (rel.length) console.error(`[e2e] ${path.relative(root, f)}:\n  ` + rel.join('\n  '));
      }
      const outLogs = execFileSync('find', [dirs.userData, '-name', '*Newsmark*'], { encoding: 'utf8' }).trim().split('\n').filter(Boolean);
      for (const f of outLogs) console.error(`[e2e] ${path.relative(root, f)}:\n  ` + fs.readFileSync(f, 'utf8').split('\n').slice(-15).join('\n  '));
    } catch { /* best effort */ }
  } finally {
    if (ctx) await ctx.close().catch(() => {});
    if (cs && cs.exitCode === null) {
      try { process.kill(-cs.pid, 'SIGTERM'); } catch { /* gone */ }
      const deadline = Date.now() + 8000;
      while (Date.now() < deadline) {
        try { process.kill(-cs.pid, 0); } catch { break; }
        await new Promise((r) => setTimeout(r, 200));
      }
      try { process.kill(-cs.pid, 'SIGKILL'); } catch { /* gone */ }
    }
    if (ok && !process.env.E2E_KEEP) fs.rmSync(root, { recursive: true, force: true });
    else console.error(`[e2e] test folder kept: ${root}`);
  }
  return ok;
}

const guard = setTimeout(() => {
  console.error(`[e2e] FAIL: the whole test took longer than ${TOTAL_TIMEOUT_MS / 1000} s (step "${currentStep}")`);
  process.exit(1);
}, TOTAL_TIMEOUT_MS);
main().then(
  (ok) => {
    clearTimeout(guard);
    console.log(ok ? `[e2e] PASS code-server e2e (${((Date.now() - t0) / 1000).toFixed(1)} s)` : '[e2e] FAIL code-server e2e');
    process.exit(ok ? 0 : 1);
  },
  (err) => {
    clearTimeout(guard);
    console.error('[e2e] FAIL:', err && err.stack ? err.stack : err);
    process.exit(1);
  },
);

import * as vscode from 'vscode';
import {
  DidChangeConfigurationNotification,
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
  State,
} from 'vscode-languageclient/node';
import { notFoundMessage, RawSettings, resolveServerPath, ServerConfig, toServerConfig } from './config';

const CLIENT_ID = 'newsmark'; // also makes vscode-languageclient honour `newsmark.trace.server`
const CLIENT_NAME = 'Newsmark Language Server';

let client: LanguageClient | undefined;
let output: vscode.OutputChannel;
let traceOutput: vscode.OutputChannel;
let starting: Promise<void> | undefined;

function readSettings(): RawSettings {
  const c = vscode.workspace.getConfiguration('newsmark');
  return {
    severity: c.get('severity'),
    reportingVerbs: c.get('attribution.reportingVerbs'),
    minQuoteWords: c.get('attribution.minQuoteWords'),
    quoteStyle: c.get('attribution.quoteStyle'),
  };
}

function serverConfig(): ServerConfig {
  const { config, problems } = toServerConfig(readSettings());
  for (const p of problems) output.appendLine(`[settings] ${p}`);
  if (problems.length > 0) {
    void vscode.window.showWarningMessage(`Newsmark: ignoring invalid settings: ${problems.join('; ')}`);
  }
  return config;
}

function firstWorkspaceFolder(): string | undefined {
  const f = vscode.workspace.workspaceFolders?.find((w) => w.uri.scheme === 'file');
  return f?.uri.fsPath;
}

async function startClient(): Promise<void> {
  const c = vscode.workspace.getConfiguration('newsmark');
  const resolved = resolveServerPath(c.get<string>('server.path'), { workspaceFolder: firstWorkspaceFolder() });
  if (!resolved.path) {
    const msg = notFoundMessage(resolved);
    output.appendLine(msg);
    output.appendLine(`Tried: ${resolved.tried.length > 0 ? resolved.tried.join(', ') : '(nothing: PATH is empty)'}`);
    void vscode.window.showErrorMessage(msg, 'Open Settings', 'Show Output').then((choice) => {
      if (choice === 'Open Settings') {
        void vscode.commands.executeCommand('workbench.action.openSettings', 'newsmark.server.path');
      } else if (choice === 'Show Output') {
        output.show(true);
      }
    });
    return;
  }

  const extraArgs = c.get<string[]>('server.extraArgs') ?? [];
  output.appendLine(`Starting ${resolved.path} lsp ${extraArgs.join(' ')}`.trimEnd());
  const serverOptions: ServerOptions = {
    // No `transport`: vscode-languageclient would append `--stdio`; `newsmark lsp` always uses stdio.
    command: resolved.path,
    args: ['lsp', ...extraArgs],
    options: { cwd: firstWorkspaceFolder(), env: { ...process.env } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'newsmark' },
      { scheme: 'untitled', language: 'newsmark' },
    ],
    initializationOptions: serverConfig(),
    outputChannel: output,
    traceOutputChannel: traceOutput,
    synchronize: {
      fileEvents: vscode.workspace.createFileSystemWatcher('**/{*.nmk,newsmark.toml}'),
    },
    middleware: {
      workspace: {
        // Answer `workspace/configuration` in the server's shape, not in the settings' shape.
        configuration: (params, token, next) => {
          const config = serverConfig();
          const own = params.items.map((item) => {
            if (item.section === 'newsmark') return config;
            if (item.section === 'newsmark.severity') return config.severity ?? {};
            if (item.section === 'newsmark.attribution') return config.attribution ?? {};
            return undefined;
          });
          if (own.every((v) => v !== undefined)) return own;
          return Promise.resolve(next(params, token)).then((fallback) =>
            Array.isArray(fallback) ? fallback.map((v, i) => own[i] ?? v) : fallback,
          );
        },
      },
    },
  };
  client = new LanguageClient(CLIENT_ID, CLIENT_NAME, serverOptions, clientOptions);
  try {
    await client.start();
    const info = client.initializeResult?.serverInfo;
    output.appendLine(`Server started${info ? `: ${info.name} ${info.version ?? ''}` : ''}`.trimEnd());
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    output.appendLine(`Failed to start the server: ${message}`);
    void vscode.window.showErrorMessage(`Newsmark: the language server failed to start (${message}).`, 'Show Output').then(
      (choice) => choice && output.show(true),
    );
  }
}

async function stopClient(): Promise<void> {
  const c = client;
  client = undefined;
  if (c && c.state !== State.Stopped) {
    try {
      await c.stop(5000);
    } catch (err) {
      output.appendLine(`Stopping the server: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}

function restart(): Promise<void> {
  const previous = starting ?? Promise.resolve();
  starting = previous.then(async () => {
    await stopClient();
    await startClient();
  });
  return starting;
}

function pushConfiguration(): void {
  if (client && client.state === State.Running) {
    void client.sendNotification(DidChangeConfigurationNotification.type, { settings: { newsmark: serverConfig() } });
  }
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  output = vscode.window.createOutputChannel('Newsmark');
  traceOutput = vscode.window.createOutputChannel('Newsmark Trace');
  context.subscriptions.push(
    output,
    traceOutput,
    vscode.commands.registerCommand('newsmark.restartServer', async () => {
      output.appendLine('Restarting the server');
      await restart();
    }),
    vscode.commands.registerCommand('newsmark.showOutput', () => output.show(true)),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('newsmark.server')) {
        void restart();
      } else if (e.affectsConfiguration('newsmark')) {
        pushConfiguration();
      }
    }),
    { dispose: () => void stopClient() },
  );
  await restart();
}

export async function deactivate(): Promise<void> {
  await stopClient();
}

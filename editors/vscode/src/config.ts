// Pure helpers (no `vscode` import) so that they can be unit-tested under plain Node.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export const RULE_CODES = [
  'unattributed-quote',
  'undefined-entity',
  'duplicate-definition',
  'shadowed-definition',
  'unused-entity',
  'unclosed-quote',
  'unlinked-mention',
  'speaker-kind',
  'unknown-kind',
  'bad-property',
  'syntax',
] as const;
export type RuleCode = (typeof RULE_CODES)[number];

export const SEVERITIES = ['error', 'warning', 'info', 'hint', 'off'] as const;
export type Severity = (typeof SEVERITIES)[number];

export type QuoteStyle = 'double' | 'single';

/** The server's configuration shape: the same as `newsmark.toml` and `settings.newsmark`. */
export interface ServerConfig {
  severity?: Partial<Record<RuleCode, Severity>>;
  attribution?: {
    'reporting-verbs'?: string[];
    'min-quote-words'?: number;
    'quote-style'?: QuoteStyle;
  };
}

/** The extension's settings as VS Code hands them over (`newsmark.*`), not yet validated. */
export interface RawSettings {
  severity?: unknown;
  reportingVerbs?: unknown;
  minQuoteWords?: unknown;
  quoteStyle?: unknown;
}

export interface Translated {
  config: ServerConfig;
  /** Human-readable problems with the settings; the offending values are left out. */
  problems: string[];
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Maps the VS Code settings to the server's configuration. Only values the user actually set are
 * sent, so that `newsmark.toml` in the workspace keeps its say for everything else.
 */
export function toServerConfig(raw: RawSettings): Translated {
  const problems: string[] = [];
  const config: ServerConfig = {};

  if (raw.severity !== undefined && raw.severity !== null) {
    if (!isRecord(raw.severity)) {
      problems.push('newsmark.severity must be an object mapping rule codes to severities');
    } else {
      const severity: Partial<Record<RuleCode, Severity>> = {};
      for (const [code, level] of Object.entries(raw.severity)) {
        if (!(RULE_CODES as readonly string[]).includes(code)) {
          problems.push(`newsmark.severity: unknown rule code "${code}" (known: ${RULE_CODES.join(', ')})`);
        } else if (typeof level !== 'string' || !(SEVERITIES as readonly string[]).includes(level)) {
          problems.push(`newsmark.severity.${code}: "${String(level)}" is not one of ${SEVERITIES.join(', ')}`);
        } else {
          severity[code as RuleCode] = level as Severity;
        }
      }
      if (Object.keys(severity).length > 0) config.severity = severity;
    }
  }

  const attribution: NonNullable<ServerConfig['attribution']> = {};
  if (raw.reportingVerbs !== undefined && raw.reportingVerbs !== null) {
    if (!Array.isArray(raw.reportingVerbs) || !raw.reportingVerbs.every((v) => typeof v === 'string')) {
      problems.push('newsmark.attribution.reportingVerbs must be a list of strings');
    } else {
      const verbs = raw.reportingVerbs.map((v: string) => v.trim()).filter((v: string) => v.length > 0);
      if (verbs.length > 0) attribution['reporting-verbs'] = verbs;
    }
  }
  if (raw.minQuoteWords !== undefined && raw.minQuoteWords !== null) {
    const n = raw.minQuoteWords;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) {
      problems.push(`newsmark.attribution.minQuoteWords must be a positive integer, not ${JSON.stringify(n)}`);
    } else {
      attribution['min-quote-words'] = n;
    }
  }
  if (raw.quoteStyle !== undefined && raw.quoteStyle !== null) {
    if (raw.quoteStyle !== 'double' && raw.quoteStyle !== 'single') {
      problems.push(`newsmark.attribution.quoteStyle must be "double" or "single", not ${JSON.stringify(raw.quoteStyle)}`);
    } else {
      attribution['quote-style'] = raw.quoteStyle;
    }
  }
  if (Object.keys(attribution).length > 0) config.attribution = attribution;
  return { config, problems };
}

export interface ResolveOptions {
  /** The first workspace folder, for relative paths and `${workspaceFolder}`. */
  workspaceFolder?: string | undefined;
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
  isExecutable?: (file: string) => boolean;
}

export interface Resolved {
  /** The absolute path of the binary, when found. */
  path?: string;
  /** What the setting asked for, after expansion. */
  requested: string;
  /** Every file that was tried, in order (for the error message). */
  tried: string[];
}

export function defaultIsExecutable(file: string): boolean {
  try {
    if (!fs.statSync(file).isFile()) return false;
    if (process.platform === 'win32') return true;
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Finds the server binary named by `newsmark.server.path` (default `newsmark`, looked up on PATH). */
export function resolveServerPath(setting: string | undefined | null, opts: ResolveOptions = {}): Resolved {
  const env = opts.env ?? process.env;
  const platform = opts.platform ?? process.platform;
  const isExecutable = opts.isExecutable ?? defaultIsExecutable;
  const pathApi = platform === 'win32' ? path.win32 : path.posix;
  let requested = (setting ?? '').trim() || 'newsmark';
  if (requested === '~' || requested.startsWith('~/')) requested = pathApi.join(os.homedir(), requested.slice(1));
  if (opts.workspaceFolder) requested = requested.split('${workspaceFolder}').join(opts.workspaceFolder);
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined) requested = requested.split('${env:' + name + '}').join(value);
  }

  const exts = platform === 'win32' ? ['', ...(env.PATHEXT ?? '.EXE;.CMD;.BAT').split(';').filter(Boolean)] : [''];
  const tried: string[] = [];
  const tryFile = (file: string): string | undefined => {
    for (const ext of exts) {
      const candidate = file + ext;
      tried.push(candidate);
      if (isExecutable(candidate)) return candidate;
    }
    return undefined;
  };

  const hasSeparator = requested.includes('/') || (platform === 'win32' && requested.includes('\\'));
  if (pathApi.isAbsolute(requested) || hasSeparator) {
    const base = opts.workspaceFolder ?? process.cwd();
    const found = tryFile(pathApi.resolve(base, requested));
    return found ? { path: found, requested, tried } : { requested, tried };
  }
  const dirs = (env.PATH ?? env.Path ?? '').split(platform === 'win32' ? ';' : ':').filter(Boolean);
  for (const dir of dirs) {
    const found = tryFile(pathApi.join(dir, requested));
    if (found) return { path: found, requested, tried };
  }
  return { requested, tried };
}

export function notFoundMessage(r: Resolved): string {
  const where = r.requested.includes('/') || r.requested.includes('\\') ? `at "${r.requested}"` : `"${r.requested}" on PATH`;
  return (
    `Newsmark: cannot find the language server binary (${where}). ` +
    'Set newsmark.server.path or put newsmark on PATH; build it with cargo install --path . ' +
    '(in the newsmark repository).'
  );
}

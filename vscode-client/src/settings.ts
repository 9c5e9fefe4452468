/**
 * Mapping of the `trainpath.*` VS Code settings to what the language server receives.
 *
 * The server gets `{rules, jobFiles, staleSuffixes, modelPrefix}` (all optional) as
 * `initializationOptions`, in `workspace/didChangeConfiguration` pushes
 * (`{settings: {trainpath: ...}}`) and as the answer to `workspace/configuration`
 * requests for section `trainpath`. Client-only settings (`server.*`, `trace.*`)
 * are never sent. Malformed values are dropped rather than forwarded, so the
 * server falls back to its defaults for them.
 */

export const SEVERITIES = ['error', 'warning', 'info', 'hint', 'off'] as const;
export type Severity = (typeof SEVERITIES)[number];

export interface ServerSettings {
  rules?: Record<string, Severity>;
  jobFiles?: string[];
  staleSuffixes?: string[];
  modelPrefix?: string;
}

/** The part of `vscode.WorkspaceConfiguration` this module needs. */
export interface ConfigLike {
  get<T>(key: string): T | undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringList(value: unknown): string[] | undefined {
  if (!Array.isArray(value)) {
    return undefined;
  }
  return value.filter((item): item is string => typeof item === 'string' && item.trim() !== '');
}

function ruleMap(value: unknown): Record<string, Severity> | undefined {
  if (!isRecord(value)) {
    return undefined;
  }
  const rules: Record<string, Severity> = {};
  for (const [code, raw] of Object.entries(value)) {
    const severity = typeof raw === 'string' ? raw.trim().toLowerCase() : undefined;
    if (code.trim() !== '' && (SEVERITIES as readonly string[]).includes(severity ?? '')) {
      rules[code.trim()] = severity as Severity;
    }
  }
  return rules;
}

/** The server-facing settings for one `trainpath` configuration scope. */
export function toServerSettings(config: ConfigLike): ServerSettings {
  const settings: ServerSettings = {};
  const rules = ruleMap(config.get<unknown>('rules'));
  if (rules !== undefined) {
    settings.rules = rules;
  }
  const jobFiles = stringList(config.get<unknown>('jobFiles'));
  if (jobFiles !== undefined) {
    settings.jobFiles = jobFiles;
  }
  const staleSuffixes = stringList(config.get<unknown>('staleSuffixes'));
  if (staleSuffixes !== undefined) {
    settings.staleSuffixes = staleSuffixes;
  }
  const modelPrefix = config.get<unknown>('modelPrefix');
  if (typeof modelPrefix === 'string') {
    settings.modelPrefix = modelPrefix;
  }
  return settings;
}

/** The `workspace/didChangeConfiguration` params the server expects. */
export function didChangeConfigurationParams(config: ConfigLike): {
  settings: { trainpath: ServerSettings };
} {
  return { settings: { trainpath: toServerSettings(config) } };
}

/** One item of a `workspace/configuration` request. */
export interface ConfigurationItemLike {
  scopeUri?: string;
  section?: string;
}

/**
 * Answers a `workspace/configuration` request: items for section `trainpath` get
 * the mapped server settings of their scope, every other item keeps the answer
 * the default handler gave (`fallback[i]`).
 */
export function answerConfigurationItems(
  items: readonly ConfigurationItemLike[],
  fallback: readonly unknown[],
  settingsFor: (scopeUri: string | undefined) => ServerSettings,
): unknown[] {
  return items.map((item, index) =>
    item.section === 'trainpath' ? settingsFor(item.scopeUri) : fallback[index] ?? null,
  );
}

/** What a settings change requires of the running client. */
export interface ConfigChangeEffect {
  /** The server command or interpreter changed: restart the server process. */
  restart: boolean;
  /** A server-facing setting changed: push `workspace/didChangeConfiguration`. */
  push: boolean;
}

const SERVER_FACING_SECTIONS = [
  'trainpath.rules',
  'trainpath.jobFiles',
  'trainpath.staleSuffixes',
  'trainpath.modelPrefix',
];

/** Classifies a change event by asking it which sections it affects. */
export function classifyConfigChange(affects: (section: string) => boolean): ConfigChangeEffect {
  return {
    restart: affects('trainpath.server'),
    push: SERVER_FACING_SECTIONS.some((section) => affects(section)),
  };
}

/** A trailing-edge debouncer: only the last of several quick `trigger` calls runs. */
export interface Timers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export class Debouncer {
  private handle: unknown = undefined;

  constructor(
    private readonly delayMs: number,
    private readonly timers: Timers = {
      setTimeout: (callback, ms) => setTimeout(callback, ms),
      clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
    },
  ) {}

  trigger(action: () => void): void {
    this.cancel();
    this.handle = this.timers.setTimeout(() => {
      this.handle = undefined;
      action();
    }, this.delayMs);
  }

  cancel(): void {
    if (this.handle !== undefined) {
      this.timers.clearTimeout(this.handle);
      this.handle = undefined;
    }
  }

  get pending(): boolean {
    return this.handle !== undefined;
  }
}

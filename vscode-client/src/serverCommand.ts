/**
 * How the extension starts `trainpath serve`.
 *
 * `trainpath.server.interpreter` wins when set (`<interpreter> -m trainpath serve`);
 * otherwise `trainpath.server.command` (default `["trainpath", "serve"]`). `${workspaceFolder}`,
 * `${userHome}`, `${env:NAME}` and a leading `~` are expanded; a relative program path containing a
 * separator is resolved against the workspace folder. `findExecutable` looks the
 * program up on PATH before spawning, so that a missing server gives the
 * "How to install" message instead of a spawn error.
 */

import * as path from 'node:path';

export const DEFAULT_SERVER_COMMAND: readonly string[] = ['trainpath', 'serve'];
export const INTERPRETER_ARGS: readonly string[] = ['-m', 'trainpath', 'serve'];

export interface ServerCommandSettings {
  /** `trainpath.server.command` as read from the configuration (unvalidated). */
  command?: unknown;
  /** `trainpath.server.interpreter` as read from the configuration (unvalidated). */
  interpreter?: unknown;
}

export interface ExpansionVars {
  workspaceFolder?: string;
  userHome?: string;
  /** For `${env:NAME}`. */
  env?: Record<string, string | undefined>;
}

export type ServerCommandResolution =
  | { ok: true; command: string; args: string[]; source: 'interpreter' | 'command' | 'default' }
  | { ok: false; error: string };

function expand(value: string, vars: ExpansionVars, setting: string): string | { error: string } {
  let unknown: string | undefined;
  let out = value.replace(/\$\{([^}]*)\}/g, (whole, name: string) => {
    const replacement =
      name === 'workspaceFolder'
        ? vars.workspaceFolder
        : name === 'userHome'
          ? vars.userHome
          : name.startsWith('env:')
            ? vars.env?.[name.slice(4)]
            : undefined;
    if (replacement === undefined) {
      unknown ??= whole;
      return whole;
    }
    return replacement;
  });
  if (unknown !== undefined) {
    return { error: `${setting}: cannot expand ${unknown} here` };
  }
  if (vars.userHome !== undefined && (out === '~' || out.startsWith('~/'))) {
    out = vars.userHome + out.slice(1);
  }
  return out;
}

function resolveProgram(program: string, vars: ExpansionVars): string {
  const hasSeparator = program.includes('/') || program.includes('\\');
  if (hasSeparator && !path.isAbsolute(program) && vars.workspaceFolder !== undefined) {
    return path.join(vars.workspaceFolder, program);
  }
  return program;
}

/** The program and arguments that start the language server, or why there are none. */
export function resolveServerCommand(
  settings: ServerCommandSettings,
  vars: ExpansionVars = {},
): ServerCommandResolution {
  const { interpreter, command } = settings;
  if (interpreter !== undefined && interpreter !== null && typeof interpreter !== 'string') {
    return { ok: false, error: 'trainpath.server.interpreter must be a string (a path to python).' };
  }
  if (typeof interpreter === 'string' && interpreter.trim() !== '') {
    const expanded = expand(interpreter.trim(), vars, 'trainpath.server.interpreter');
    if (typeof expanded !== 'string') {
      return { ok: false, error: expanded.error };
    }
    return { ok: true, command: resolveProgram(expanded, vars), args: [...INTERPRETER_ARGS], source: 'interpreter' };
  }
  if (command === undefined || command === null) {
    return { ok: true, command: DEFAULT_SERVER_COMMAND[0], args: DEFAULT_SERVER_COMMAND.slice(1), source: 'default' };
  }
  if (
    !Array.isArray(command) ||
    command.length === 0 ||
    !command.every((part) => typeof part === 'string') ||
    (command[0] as string).trim() === ''
  ) {
    return {
      ok: false,
      error: 'trainpath.server.command must be a non-empty list of strings, e.g. ["trainpath", "serve"].',
    };
  }
  const parts: string[] = [];
  for (const part of command as string[]) {
    const expanded = expand(part, vars, 'trainpath.server.command');
    if (typeof expanded !== 'string') {
      return { ok: false, error: expanded.error };
    }
    parts.push(expanded);
  }
  return { ok: true, command: resolveProgram(parts[0].trim(), vars), args: parts.slice(1), source: 'command' };
}

export interface LookupEnv {
  PATH?: string;
  PATHEXT?: string;
}

/**
 * The file that `program` names: itself when it contains a separator, else the first
 * PATH entry holding it (with PATHEXT extensions on Windows). `isExecutable` is
 * injected so tests need no file system.
 */
export function findExecutable(
  program: string,
  env: LookupEnv,
  isExecutable: (file: string) => boolean,
  platform: NodeJS.Platform = process.platform,
): string | undefined {
  const windows = platform === 'win32';
  const pathApi = windows ? path.win32 : path.posix;
  const extensions = windows
    ? ['', ...(env.PATHEXT ?? '.COM;.EXE;.BAT;.CMD').split(';').filter((ext) => ext !== '')]
    : [''];
  const candidatesFor = (base: string): string[] => extensions.map((ext) => base + ext);
  if (program.includes('/') || (windows && program.includes('\\'))) {
    return candidatesFor(program).find((file) => isExecutable(file));
  }
  const dirs = (env.PATH ?? '').split(windows ? ';' : ':').filter((dir) => dir !== '');
  for (const dir of dirs) {
    const found = candidatesFor(pathApi.join(dir, program)).find((file) => isExecutable(file));
    if (found !== undefined) {
      return found;
    }
  }
  return undefined;
}

/** True when a start failure means the program does not exist (spawn ENOENT). */
export function isSpawnNotFound(error: unknown): boolean {
  if (typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'ENOENT') {
    return true;
  }
  const text = error instanceof Error ? `${error.message}` : String(error);
  return /\bENOENT\b/.test(text);
}

/** The message shown when the server program cannot be found. */
export function notInstalledMessage(command: string, source: 'interpreter' | 'command' | 'default'): string {
  if (source === 'interpreter') {
    return `trainpath: the Python interpreter "${command}" (trainpath.server.interpreter) was not found.`;
  }
  return (
    `trainpath: the language server "${command}" was not found. Install the trainpath Python package ` +
    'where VS Code can find it, or set trainpath.server.interpreter to a Python that has it.'
  );
}

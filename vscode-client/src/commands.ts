/**
 * The client-side commands, written against injected interfaces so they run without VS Code.
 *
 * Registration (decided to avoid "command already exists"): the server lists
 * `trainpath.showChain` and `trainpath.showComposedConfig` in its
 * `executeCommandProvider`, so vscode-languageclient registers both ids on the client
 * and forwards them to the server. The extension never registers those ids itself;
 * instead `executeCommandMiddleware` wraps them: it completes the arguments (palette
 * or explorer invocations carry no `[uri, line]`), sends the request and opens the
 * result (markdown preview or read-only YAML). Code lenses
 * (`{command: "trainpath.showChain", arguments: [uri, line]}`) go the same way.
 * `trainpath.showTrainingPath` is a separate, extension-registered id: it calls the
 * server directly (`client.executeCommand`) and opens the preview once.
 */

import { CHAIN_SCHEME, COMPOSED_SCHEME, SERVER_SHOW_CHAIN, SERVER_SHOW_COMPOSED_CONFIG } from './protocol';

/** The part of the language client the commands need. */
export interface ServerCommandClient {
  /** Sends `workspace/executeCommand` and resolves with the server's result. */
  executeCommand(command: string, args: unknown[]): Promise<unknown>;
}

/** Where a command applies: a document and a 0-based line, or nothing (the whole workspace). */
export interface CommandTarget {
  uri?: string;
  line?: number;
}

export interface CommandDeps {
  /** The running client, or undefined when the server is not running. */
  client(): ServerCommandClient | undefined;
  /** Shows `markdown` in a markdown preview of the virtual document `docUri`. */
  openMarkdownPreview(docUri: string, markdown: string): Promise<void>;
  /** Shows `yaml` in a read-only YAML editor of the virtual document `docUri`. */
  openYamlDocument(docUri: string, yaml: string): Promise<void>;
  showInfo(message: string): void;
  showError(message: string): void;
}

function baseName(uri: string): string {
  const withoutQuery = uri.split(/[?#]/)[0];
  const last = withoutQuery.split('/').filter((part) => part !== '').pop() ?? uri;
  try {
    return decodeURIComponent(last);
  } catch {
    return last;
  }
}

function targetQuery(target: CommandTarget): string {
  if (target.uri === undefined) {
    return '';
  }
  const line = target.line !== undefined ? `&line=${target.line}` : '';
  return `?source=${encodeURIComponent(target.uri)}${line}`;
}

function labelOf(target: CommandTarget): string {
  if (target.uri === undefined) {
    return 'workspace';
  }
  return target.line !== undefined ? `${baseName(target.uri)} line ${target.line + 1}` : baseName(target.uri);
}

/** Virtual document URI of the chain review for a target (its file name is the tab title). */
export function chainDocUri(target: CommandTarget): string {
  const name = target.uri === undefined ? 'training paths' : `training path, ${labelOf(target)}`;
  return `${CHAIN_SCHEME}:/${encodeURIComponent(name)}.md${targetQuery(target)}`;
}

/** Virtual document URI of the composed config for a target. */
export function composedDocUri(target: CommandTarget): string {
  return `${COMPOSED_SCHEME}:/${encodeURIComponent(`composed, ${labelOf(target)}`)}.yaml${targetQuery(target)}`;
}

/** The `[uri, line]` argument list of the server commands (trailing undefined left out). */
export function commandArgs(target: CommandTarget): unknown[] {
  if (target.uri === undefined) {
    return [];
  }
  return target.line !== undefined ? [target.uri, target.line] : [target.uri];
}

/** The target that server-command arguments `[uri?, line?]` describe. */
export function targetFromArgs(args: readonly unknown[]): CommandTarget {
  const [uri, line] = args;
  const target: CommandTarget = {};
  if (typeof uri === 'string' && uri !== '') {
    target.uri = uri;
    if (typeof line === 'number' && Number.isInteger(line) && line >= 0) {
      target.line = line;
    }
  }
  return target;
}

function describeError(error: unknown): string {
  if (error instanceof Error) {
    return error.message;
  }
  if (typeof error === 'object' && error !== null && typeof (error as { message?: unknown }).message === 'string') {
    return (error as { message: string }).message;
  }
  return String(error);
}

function nonEmptyText(result: unknown): result is string {
  return typeof result === 'string' && result.trim() !== '';
}

const NOT_RUNNING = 'trainpath: the language server is not running. Run "trainpath: Restart language server".';

/**
 * "Show training path": the chain at `target` (a job line or script), falling back to
 * every chain in the workspace when the server has nothing for that position.
 */
export async function showTrainingPath(deps: CommandDeps, target: CommandTarget = {}): Promise<boolean> {
  const client = deps.client();
  if (client === undefined) {
    deps.showError(NOT_RUNNING);
    return false;
  }
  try {
    let shown: CommandTarget = target;
    let markdown = await client.executeCommand(SERVER_SHOW_CHAIN, commandArgs(target));
    if (!nonEmptyText(markdown) && target.uri !== undefined) {
      shown = {};
      markdown = await client.executeCommand(SERVER_SHOW_CHAIN, []);
    }
    if (!nonEmptyText(markdown)) {
      deps.showInfo('trainpath: no training path found (no job line launches a Hydra script).');
      return false;
    }
    await deps.openMarkdownPreview(chainDocUri(shown), markdown);
    return true;
  } catch (error) {
    deps.showError(`trainpath: could not show the training path: ${describeError(error)}`);
    return false;
  }
}

/** "Show composed config": the config that the job line or config file at `target` composes to. */
export async function showComposedConfig(deps: CommandDeps, target: CommandTarget = {}): Promise<boolean> {
  const client = deps.client();
  if (client === undefined) {
    deps.showError(NOT_RUNNING);
    return false;
  }
  return composeAndOpen(deps, (command, args) => client.executeCommand(command, args), target);
}

async function composeAndOpen(deps: CommandDeps, execute: ExecuteCommandNext, target: CommandTarget): Promise<boolean> {
  if (target.uri === undefined) {
    deps.showInfo('trainpath: open a job file or a config file, then run "Show composed config" on it.');
    return false;
  }
  try {
    const yaml = await execute(SERVER_SHOW_COMPOSED_CONFIG, commandArgs(target));
    if (!nonEmptyText(yaml)) {
      deps.showInfo(`trainpath: nothing to compose at ${labelOf(target)}.`);
      return false;
    }
    await deps.openYamlDocument(composedDocUri(target), yaml);
    return true;
  } catch (error) {
    deps.showError(`trainpath: could not compose the config: ${describeError(error)}`);
    return false;
  }
}

/** Signature of the language client's `executeCommand` middleware `next`. */
export type ExecuteCommandNext = (command: string, args: unknown[]) => unknown;

/**
 * Middleware for the language client's registrations of the server's commands.
 * `resolveTarget` turns the invocation's arguments into a target: `[uri, line]` from a
 * code lens, `[]` from the palette (the active editor), `[Uri]` from the explorer.
 * Other commands pass through untouched.
 */
export function executeCommandMiddleware(
  deps: CommandDeps,
  resolveTarget: (args: readonly unknown[]) => CommandTarget = targetFromArgs,
): (command: string, args: unknown[], next: ExecuteCommandNext) => Promise<unknown> {
  return async (command, args, next) => {
    if (command === SERVER_SHOW_COMPOSED_CONFIG) {
      await composeAndOpen(deps, next, resolveTarget(args));
      return undefined;
    }
    if (command !== SERVER_SHOW_CHAIN) {
      return next(command, args);
    }
    const target = resolveTarget(args);
    let markdown: unknown;
    try {
      markdown = await next(command, commandArgs(target));
      if (nonEmptyText(markdown)) {
        await deps.openMarkdownPreview(chainDocUri(target), markdown);
      } else {
        deps.showInfo(`trainpath: no training path at ${labelOf(target)}.`);
      }
    } catch (error) {
      deps.showError(`trainpath: could not show the training path: ${describeError(error)}`);
    }
    return markdown;
  };
}

/**
 * Smoke test of the bundled extension (`dist/extension.js`) against a fake `vscode`
 * module: activation without a server on PATH registers the commands and content
 * providers, shows "not installed" in the status bar and offers "How to install".
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import Module from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { INSTALL_URL } from '../src/protocol';

const ROOT = path.resolve(__dirname, '../..');

class Uri {
  private constructor(private readonly value: string) {}
  static parse(value: string): Uri {
    return new Uri(value);
  }
  get scheme(): string {
    return this.value.split(':')[0];
  }
  get fsPath(): string {
    return decodeURIComponent(this.value.replace(/^file:\/\//, ''));
  }
  toString(): string {
    return this.value;
  }
}

interface Recorded {
  commands: Map<string, (...args: unknown[]) => unknown>;
  executed: unknown[][];
  providers: string[];
  errors: { message: string; items: string[] }[];
  opened: string[];
  configListeners: ((event: { affectsConfiguration(section: string): boolean }) => void)[];
  statusItem: { text: string; tooltip: string; command: string; backgroundColor?: { id: string }; shown: boolean };
}

const rec: Recorded = {
  commands: new Map(),
  executed: [],
  providers: [],
  errors: [],
  opened: [],
  configListeners: [],
  statusItem: { text: '', tooltip: '', command: '', shown: false },
};
let answerError: (items: string[]) => string | undefined = () => undefined;

const disposable = { dispose: () => undefined };
const known: Record<string, unknown> = {
  Uri,
  EventEmitter: class {
    event = () => disposable;
    fire(): void {}
    dispose(): void {}
  },
  ThemeColor: class {
    constructor(readonly id: string) {}
  },
  StatusBarAlignment: { Left: 1, Right: 2 },
  ViewColumn: { Beside: -2 },
  window: {
    createOutputChannel: () => ({ ...disposable, info() {}, warn() {}, error() {}, appendLine() {} }),
    createStatusBarItem: () =>
      Object.assign(rec.statusItem, { show: () => void (rec.statusItem.shown = true), dispose: () => undefined }),
    showErrorMessage: async (message: string, ...items: string[]) => {
      rec.errors.push({ message, items });
      return answerError(items);
    },
    showInformationMessage: async () => undefined,
    activeTextEditor: undefined,
  },
  workspace: {
    workspaceFolders: [{ uri: Uri.parse('file:///repo'), name: 'repo', index: 0 }],
    getConfiguration: () => ({ get: () => undefined }),
    onDidChangeConfiguration: (listener: Recorded['configListeners'][number]) => {
      rec.configListeners.push(listener);
      return disposable;
    },
    registerTextDocumentContentProvider: (scheme: string) => {
      rec.providers.push(scheme);
      return disposable;
    },
  },
  commands: {
    registerCommand: (id: string, handler: (...args: unknown[]) => unknown) => {
      rec.commands.set(id, handler);
      return disposable;
    },
    executeCommand: async (...args: unknown[]) => void rec.executed.push(args),
  },
  env: {
    openExternal: async (uri: Uri) => {
      rec.opened.push(uri.toString());
      return true;
    },
  },
};
const fakeVscode = new Proxy(known, { get: (target, name: string) => (name in target ? target[name] : class {}) });

type Loader = (request: string, ...rest: unknown[]) => unknown;
const moduleWithLoad = Module as unknown as { _load: Loader };
const originalLoad = moduleWithLoad._load;
const originalPath = process.env.PATH;
let extension: { activate(context: unknown): Promise<void>; deactivate(): Promise<void> };
const context = { subscriptions: [] as unknown[] };

before(async () => {
  moduleWithLoad._load = function (this: unknown, request: string, ...rest: unknown[]) {
    return request === 'vscode' ? fakeVscode : originalLoad.call(this, request, ...rest);
  };
  process.env.PATH = mkdtempSync(path.join(os.tmpdir(), 'trainpath-empty-path-'));
  answerError = (items) => (items.includes('How to install') ? 'How to install' : undefined);
  extension = require(path.join(ROOT, 'dist', 'extension.js'));
  await extension.activate(context);
});

after(async () => {
  await extension.deactivate();
  moduleWithLoad._load = originalLoad;
  process.env.PATH = originalPath;
});

test('activation registers the client commands and both virtual document schemes', () => {
  assert.deepEqual([...rec.commands.keys()].sort(), ['trainpath.restartServer', 'trainpath.showTrainingPath']);
  assert.deepEqual(rec.providers.sort(), ['trainpath-chain', 'trainpath-composed']);
  assert.equal(rec.configListeners.length, 1);
  assert.ok(context.subscriptions.length >= 8);
});

test('without a server on PATH: not-installed status, error with "How to install" that opens the install URL', async () => {
  assert.equal(rec.statusItem.text, '$(error) trainpath: not installed');
  assert.equal(rec.statusItem.command, 'workbench.actions.view.problems');
  assert.equal(rec.statusItem.backgroundColor?.id, 'statusBarItem.errorBackground');
  assert.equal(rec.statusItem.shown, true);
  assert.deepEqual(rec.errors[0], {
    message:
      'trainpath: the language server "trainpath" was not found. Install the trainpath Python package where VS Code can find it, or set trainpath.server.interpreter to a Python that has it.',
    items: ['How to install', 'Open settings'],
  });
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(rec.opened, [INSTALL_URL]);
  assert.deepEqual(rec.executed.filter((args) => args[0] === 'setContext'), [
    ['setContext', 'trainpath.serverRunning', false],
  ]);
});

test('Show training path without a running server says so instead of failing', async () => {
  const before = rec.errors.length;
  assert.equal(await rec.commands.get('trainpath.showTrainingPath')!(), false);
  assert.deepEqual(rec.errors.slice(before).map((error) => error.message), [
    'trainpath: the language server is not running. Run "trainpath: Restart language server".',
  ]);
});

test('the restart command tries again and reports the missing server again', async () => {
  const before = rec.errors.length;
  await rec.commands.get('trainpath.restartServer')!();
  assert.equal(rec.errors.length, before + 1);
  assert.match(rec.errors[before].message, /^trainpath: the language server "trainpath" was not found/);
});

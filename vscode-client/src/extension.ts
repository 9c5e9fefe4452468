/**
 * The trainpath VS Code extension: a thin layer that wires the testable modules
 * (`settings`, `serverCommand`, `status`, `commands`) to the `vscode` API and to
 * vscode-languageclient.
 *
 * Lifecycle: on activation the server command is resolved and looked up on PATH; a
 * missing program shows an error with a "How to install" button instead of a spawn
 * failure. Settings the server reads are pushed with `workspace/didChangeConfiguration`;
 * a change of `trainpath.server.*` restarts the server (debounced). The context key
 * `trainpath.serverRunning` hides server-backed palette entries while it is down.
 */

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as vscode from 'vscode';
import {
  DidChangeConfigurationNotification,
  ExecuteCommandRequest,
  LanguageClient,
  RevealOutputChannelOn,
  State,
  type Executable,
  type LanguageClientOptions,
} from 'vscode-languageclient/node';
import {
  executeCommandMiddleware,
  showTrainingPath,
  type CommandDeps,
  type CommandTarget,
  type ServerCommandClient,
} from './commands';
import {
  CHAIN_SCHEME,
  CMD_RESTART_SERVER,
  CMD_SHOW_TRAINING_PATH,
  COMPOSED_SCHEME,
  CONFIG_SECTION,
  DOCUMENT_SELECTOR,
  INSTALL_URL,
  PROBLEMS_VIEW_COMMAND,
  STATUS_NOTIFICATION,
} from './protocol';
import { findExecutable, isSpawnNotFound, notInstalledMessage, resolveServerCommand } from './serverCommand';
import {
  answerConfigurationItems,
  classifyConfigChange,
  Debouncer,
  didChangeConfigurationParams,
  toServerSettings,
} from './settings';
import { parseStatus, statusText, type ServerStatus } from './status';

const RESTART_DEBOUNCE_MS = 750;
const RUNNING_CONTEXT_KEY = 'trainpath.serverRunning';

/** Read-only virtual documents whose text the extension sets. */
class VirtualDocuments implements vscode.TextDocumentContentProvider {
  private readonly texts = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;

  set(uri: vscode.Uri, text: string): void {
    this.texts.set(uri.toString(), text);
    this.changed.fire(uri);
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.texts.get(uri.toString()) ?? '';
  }

  dispose(): void {
    this.changed.dispose();
  }
}

function isExecutableFile(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

function isUri(value: unknown): value is vscode.Uri {
  return value instanceof vscode.Uri;
}

/** The target of an invocation: lens args `[uri, line]`, explorer `[Uri]`, or the active editor. */
function invocationTarget(args: readonly unknown[]): CommandTarget {
  const [first, second] = args;
  const editor = vscode.window.activeTextEditor;
  if (typeof first === 'string' && first !== '') {
    return typeof second === 'number' ? { uri: first, line: second } : { uri: first };
  }
  if (isUri(first)) {
    const uri = first.toString();
    if (editor !== undefined && editor.document.uri.toString() === uri) {
      return { uri, line: editor.selection.active.line };
    }
    return { uri };
  }
  if (editor !== undefined && editor.document.uri.scheme === 'file') {
    return { uri: editor.document.uri.toString(), line: editor.selection.active.line };
  }
  return {};
}

class TrainpathExtension implements vscode.Disposable {
  private client: LanguageClient | undefined;
  private readonly output = vscode.window.createOutputChannel('trainpath', { log: true });
  private readonly statusItem = vscode.window.createStatusBarItem(vscode.StatusBarAlignment.Left, 10);
  private readonly chainDocs = new VirtualDocuments();
  private readonly composedDocs = new VirtualDocuments();
  private readonly restartDebouncer = new Debouncer(RESTART_DEBOUNCE_MS);
  private lifecycle: Promise<void> = Promise.resolve();
  private readonly deps: CommandDeps;

  constructor(private readonly context: vscode.ExtensionContext) {
    this.deps = {
      client: () => this.commandClient(),
      openMarkdownPreview: async (docUri, markdown) => {
        const uri = vscode.Uri.parse(docUri);
        this.chainDocs.set(uri, markdown);
        await vscode.commands.executeCommand('markdown.showPreview', uri);
      },
      openYamlDocument: async (docUri, yaml) => {
        const uri = vscode.Uri.parse(docUri);
        this.composedDocs.set(uri, yaml);
        let document = await vscode.workspace.openTextDocument(uri);
        if (document.languageId !== 'yaml') {
          document = await vscode.languages.setTextDocumentLanguage(document, 'yaml');
        }
        await vscode.window.showTextDocument(document, { preview: true, viewColumn: vscode.ViewColumn.Beside });
      },
      showInfo: (message) => void vscode.window.showInformationMessage(message),
      showError: (message) => void vscode.window.showErrorMessage(message),
    };
  }

  activate(): Promise<void> {
    this.statusItem.command = PROBLEMS_VIEW_COMMAND;
    this.statusItem.name = 'trainpath';
    this.context.subscriptions.push(
      this,
      this.output,
      this.statusItem,
      this.chainDocs,
      this.composedDocs,
      vscode.workspace.registerTextDocumentContentProvider(CHAIN_SCHEME, this.chainDocs),
      vscode.workspace.registerTextDocumentContentProvider(COMPOSED_SCHEME, this.composedDocs),
      vscode.commands.registerCommand(CMD_SHOW_TRAINING_PATH, (...args: unknown[]) =>
        showTrainingPath(this.deps, invocationTarget(args)),
      ),
      vscode.commands.registerCommand(CMD_RESTART_SERVER, () => this.restart()),
      vscode.workspace.onDidChangeConfiguration((event) => this.onConfigurationChanged(event)),
    );
    return this.restart();
  }

  private commandClient(): ServerCommandClient | undefined {
    const client = this.client;
    if (client === undefined || client.state !== State.Running) {
      return undefined;
    }
    return {
      executeCommand: (command, args) => client.sendRequest(ExecuteCommandRequest.type, { command, arguments: args }),
    };
  }

  private setStatus(status: ServerStatus): void {
    const shown = statusText(status);
    this.statusItem.text = shown.text;
    this.statusItem.tooltip = shown.tooltip;
    this.statusItem.backgroundColor =
      shown.kind === 'normal' ? undefined : new vscode.ThemeColor(`statusBarItem.${shown.kind}Background`);
    this.statusItem.show();
  }

  private onConfigurationChanged(event: vscode.ConfigurationChangeEvent): void {
    const effect = classifyConfigChange((section) => event.affectsConfiguration(section));
    if (effect.restart) {
      this.restartDebouncer.trigger(() => void this.restart());
    } else if (effect.push && this.client?.state === State.Running) {
      const params = didChangeConfigurationParams(vscode.workspace.getConfiguration(CONFIG_SECTION));
      this.client.sendNotification(DidChangeConfigurationNotification.type, params).catch((error: unknown) => {
        this.output.error(`Could not send the changed settings: ${String(error)}`);
      });
    }
  }

  /** Stops the running server (if any) and starts a new one; calls are serialised. */
  restart(): Promise<void> {
    this.lifecycle = this.lifecycle.then(async () => {
      await this.stop();
      await this.start();
    });
    return this.lifecycle;
  }

  private async stop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    await vscode.commands.executeCommand('setContext', RUNNING_CONTEXT_KEY, false);
    if (client === undefined) {
      return;
    }
    try {
      await client.dispose(2000);
    } catch (error) {
      this.output.warn(`Stopping the language server: ${String(error)}`);
    }
  }

  private async start(): Promise<void> {
    const config = vscode.workspace.getConfiguration(CONFIG_SECTION);
    const folder = vscode.workspace.workspaceFolders?.[0];
    const resolution = resolveServerCommand(
      { command: config.get<unknown>('server.command'), interpreter: config.get<unknown>('server.interpreter') },
      { workspaceFolder: folder?.uri.fsPath, userHome: os.homedir() },
    );
    if (!resolution.ok) {
      this.setStatus({ state: 'not-installed', brokenChains: 0, message: resolution.error });
      void vscode.window.showErrorMessage(`trainpath: ${resolution.error}`);
      return;
    }
    if (findExecutable(resolution.command, process.env, isExecutableFile) === undefined) {
      this.reportNotInstalled(notInstalledMessage(resolution.command, resolution.source));
      return;
    }
    this.setStatus({ state: 'starting', brokenChains: 0 });
    const serverOptions: Executable = {
      command: resolution.command,
      args: resolution.args,
      options: { cwd: folder?.uri.fsPath, env: process.env },
    };
    const clientOptions: LanguageClientOptions = {
      documentSelector: DOCUMENT_SELECTOR.map((selector) => ({ ...selector })),
      initializationOptions: toServerSettings(config),
      outputChannel: this.output,
      revealOutputChannelOn: RevealOutputChannelOn.Never,
      middleware: {
        executeCommand: executeCommandMiddleware(this.deps, invocationTarget),
        workspace: {
          configuration: async (params, token, next) => {
            const answered = await next(params, token);
            if (!Array.isArray(answered)) {
              return answered;
            }
            return answerConfigurationItems(params.items, answered, (scopeUri) =>
              toServerSettings(
                vscode.workspace.getConfiguration(CONFIG_SECTION, scopeUri ? vscode.Uri.parse(scopeUri) : undefined),
              ),
            );
          },
        },
      },
    };
    const client = new LanguageClient(CONFIG_SECTION, 'trainpath', serverOptions, clientOptions);
    this.client = client;
    let sawStatus = false;
    client.onNotification(STATUS_NOTIFICATION, (raw: unknown) => {
      const status = parseStatus(raw);
      if (status !== undefined && this.client === client) {
        sawStatus = true;
        this.setStatus(status);
      }
    });
    client.onDidChangeState((event) => {
      if (this.client !== client) {
        return;
      }
      void vscode.commands.executeCommand('setContext', RUNNING_CONTEXT_KEY, event.newState === State.Running);
      if (event.newState === State.Stopped) {
        this.setStatus({ state: 'stopped', brokenChains: 0 });
      }
    });
    try {
      await client.start();
      if (this.client === client && !sawStatus) {
        this.setStatus({ state: 'indexing', brokenChains: 0 });
      }
    } catch (error) {
      if (isSpawnNotFound(error)) {
        this.reportNotInstalled(notInstalledMessage(resolution.command, resolution.source));
      } else {
        this.output.error(`The language server failed to start: ${String(error)}`);
        this.setStatus({ state: 'error', brokenChains: 0, message: String(error) });
      }
    }
  }

  private reportNotInstalled(message: string): void {
    this.setStatus({ state: 'not-installed', brokenChains: 0, message });
    const install = 'How to install';
    const settings = 'Open settings';
    void vscode.window.showErrorMessage(message, install, settings).then((choice) => {
      if (choice === install) {
        void vscode.env.openExternal(vscode.Uri.parse(INSTALL_URL));
      } else if (choice === settings) {
        void vscode.commands.executeCommand('workbench.action.openSettings', 'trainpath.server');
      }
    });
  }

  dispose(): void {
    this.restartDebouncer.cancel();
  }

  async deactivate(): Promise<void> {
    this.restartDebouncer.cancel();
    await this.lifecycle.catch(() => undefined);
    await this.stop();
  }
}

let extension: TrainpathExtension | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  extension = new TrainpathExtension(context);
  await extension.activate();
}

export async function deactivate(): Promise<void> {
  await extension?.deactivate();
  extension = undefined;
}

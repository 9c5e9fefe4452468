/**
 * Names shared by the trainpath VS Code client and the trainpath language server.
 *
 * Everything here is plain data (no `vscode` import) so that unit tests and the
 * manifest consistency test can read it. The server side of this protocol is
 * `trainpath serve`; see the README's "VS Code" section.
 */

/** Server commands, executed with `workspace/executeCommand`. */
export const SERVER_SHOW_CHAIN = 'trainpath.showChain';
export const SERVER_SHOW_COMPOSED_CONFIG = 'trainpath.showComposedConfig';

/** Commands the extension contributes to the command palette. */
export const CMD_SHOW_TRAINING_PATH = 'trainpath.showTrainingPath';
export const CMD_SHOW_COMPOSED_CONFIG = 'trainpath.showComposedConfig';
export const CMD_RESTART_SERVER = 'trainpath.restartServer';

/** Server -> client notification carrying the index state. */
export const STATUS_NOTIFICATION = 'trainpath/status';

/** Configuration section (also the language client's id, so `trainpath.trace.server` works). */
export const CONFIG_SECTION = 'trainpath';

/** Language id of job files (`jobs*.txt`). */
export const JOBS_LANGUAGE_ID = 'trainpath-jobs';

/** Virtual document schemes: the markdown chain review and the composed YAML. */
export const CHAIN_SCHEME = 'trainpath-chain';
export const COMPOSED_SCHEME = 'trainpath-composed';

/** Where "How to install" points when the server executable cannot be found. */
export const INSTALL_URL = 'https://github.com/trainpath/trainpath#installation';

/** Status-bar click target. */
export const PROBLEMS_VIEW_COMMAND = 'workbench.actions.view.problems';

/** Documents the language server is told about. */
export const DOCUMENT_SELECTOR: ReadonlyArray<{ scheme: string; language: string }> = [
  { scheme: 'file', language: 'yaml' },
  { scheme: 'file', language: 'python' },
  { scheme: 'file', language: JOBS_LANGUAGE_ID },
  { scheme: 'file', language: 'shellscript' },
];

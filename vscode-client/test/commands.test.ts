/** Command wiring against a fake language client: ids, arguments, and what gets opened. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  chainDocUri,
  commandArgs,
  composedDocUri,
  executeCommandMiddleware,
  showComposedConfig,
  showTrainingPath,
  targetFromArgs,
  type CommandDeps,
} from '../src/commands';

interface Recorder {
  deps: CommandDeps;
  requests: { command: string; args: unknown[] }[];
  opened: { kind: 'markdown' | 'yaml'; uri: string; text: string }[];
  infos: string[];
  errors: string[];
}

const JOB = 'file:///repo/jobs-etrm.txt';

function fake(answer: (command: string, args: unknown[]) => unknown, running = true): Recorder {
  const rec: Recorder = { requests: [], opened: [], infos: [], errors: [], deps: undefined as unknown as CommandDeps };
  const client = {
    executeCommand: async (command: string, args: unknown[]) => {
      rec.requests.push({ command, args });
      return answer(command, args);
    },
  };
  rec.deps = {
    client: () => (running ? client : undefined),
    openMarkdownPreview: async (uri, text) => void rec.opened.push({ kind: 'markdown', uri, text }),
    openYamlDocument: async (uri, text) => void rec.opened.push({ kind: 'yaml', uri, text }),
    showInfo: (message) => void rec.infos.push(message),
    showError: (message) => void rec.errors.push(message),
  };
  return rec;
}

test('showTrainingPath asks trainpath.showChain for the cursor line and previews the markdown', async () => {
  const rec = fake(() => '# Chain\n- job ok');
  assert.equal(await showTrainingPath(rec.deps, { uri: JOB, line: 4 }), true);
  assert.deepEqual(rec.requests, [{ command: 'trainpath.showChain', args: [JOB, 4] }]);
  assert.deepEqual(rec.opened, [
    {
      kind: 'markdown',
      uri: 'trainpath-chain:/training%20path%2C%20jobs-etrm.txt%20line%205.md?source=file%3A%2F%2F%2Frepo%2Fjobs-etrm.txt&line=4',
      text: '# Chain\n- job ok',
    },
  ]);
  assert.deepEqual(rec.errors, []);
});

test('showTrainingPath with no editor asks for the whole workspace', async () => {
  const rec = fake(() => '# All chains');
  assert.equal(await showTrainingPath(rec.deps), true);
  assert.deepEqual(rec.requests, [{ command: 'trainpath.showChain', args: [] }]);
  assert.deepEqual(rec.opened, [{ kind: 'markdown', uri: 'trainpath-chain:/training%20paths.md', text: '# All chains' }]);
});

test('showTrainingPath falls back to the workspace when the line has no chain', async () => {
  const rec = fake((_command, args) => (args.length === 0 ? '# All chains' : ''));
  assert.equal(await showTrainingPath(rec.deps, { uri: JOB, line: 0 }), true);
  assert.deepEqual(rec.requests, [
    { command: 'trainpath.showChain', args: [JOB, 0] },
    { command: 'trainpath.showChain', args: [] },
  ]);
  assert.equal(rec.opened[0].uri, 'trainpath-chain:/training%20paths.md');
});

test('showTrainingPath reports an empty workspace, a stopped server and a failed request', async () => {
  const empty = fake(() => null);
  assert.equal(await showTrainingPath(empty.deps), false);
  assert.deepEqual(empty.infos, ['trainpath: no training path found (no job line launches a Hydra script).']);
  assert.deepEqual(empty.opened, []);

  const stopped = fake(() => '# x', false);
  assert.equal(await showTrainingPath(stopped.deps, { uri: JOB, line: 1 }), false);
  assert.deepEqual(stopped.requests, []);
  assert.deepEqual(stopped.errors, [
    'trainpath: the language server is not running. Run "trainpath: Restart language server".',
  ]);

  const failing = fake(() => Promise.reject(new Error('Internal error')));
  assert.equal(await showTrainingPath(failing.deps, { uri: JOB, line: 1 }), false);
  assert.deepEqual(failing.errors, ['trainpath: could not show the training path: Internal error']);
});

test('showComposedConfig sends [uri, line] and opens read-only YAML', async () => {
  const rec = fake(() => 'arch:\n  name: x  # from config/arch/etrm.yaml:1\n');
  assert.equal(await showComposedConfig(rec.deps, { uri: JOB, line: 2 }), true);
  assert.deepEqual(rec.requests, [{ command: 'trainpath.showComposedConfig', args: [JOB, 2] }]);
  assert.deepEqual(rec.opened, [
    {
      kind: 'yaml',
      uri: 'trainpath-composed:/composed%2C%20jobs-etrm.txt%20line%203.yaml?source=file%3A%2F%2F%2Frepo%2Fjobs-etrm.txt&line=2',
      text: 'arch:\n  name: x  # from config/arch/etrm.yaml:1\n',
    },
  ]);
});

test('showComposedConfig needs a document and says so', async () => {
  const rec = fake(() => 'a: 1\n');
  assert.equal(await showComposedConfig(rec.deps, {}), false);
  assert.deepEqual(rec.requests, []);
  assert.deepEqual(rec.infos, ['trainpath: open a job file or a config file, then run "Show composed config" on it.']);
  const blank = fake(() => '   ');
  assert.equal(await showComposedConfig(blank.deps, { uri: 'file:///repo/config/cfg.yaml' }), false);
  assert.deepEqual(blank.infos, ['trainpath: nothing to compose at cfg.yaml.']);
});

test('middleware: a code lens running trainpath.showChain goes to the server once and opens the preview', async () => {
  const rec = fake(() => 'unused');
  const calls: { command: string; args: unknown[] }[] = [];
  const next = async (command: string, args: unknown[]) => {
    calls.push({ command, args });
    return '# Lens chain';
  };
  const result = await executeCommandMiddleware(rec.deps)('trainpath.showChain', [JOB, 7], next);
  assert.equal(result, '# Lens chain');
  assert.deepEqual(calls, [{ command: 'trainpath.showChain', args: [JOB, 7] }]);
  assert.deepEqual(rec.requests, []);
  assert.deepEqual(rec.opened, [
    {
      kind: 'markdown',
      uri: 'trainpath-chain:/training%20path%2C%20jobs-etrm.txt%20line%208.md?source=file%3A%2F%2F%2Frepo%2Fjobs-etrm.txt&line=7',
      text: '# Lens chain',
    },
  ]);
});

test('middleware: the palette entry of trainpath.showComposedConfig uses the resolved active target', async () => {
  const rec = fake(() => 'unused');
  const calls: { command: string; args: unknown[] }[] = [];
  const next = async (command: string, args: unknown[]) => {
    calls.push({ command, args });
    return 'lr: 0.001\n';
  };
  const middleware = executeCommandMiddleware(rec.deps, (args) => (args.length === 0 ? { uri: JOB, line: 9 } : {}));
  assert.equal(await middleware('trainpath.showComposedConfig', [], next), undefined);
  assert.deepEqual(calls, [{ command: 'trainpath.showComposedConfig', args: [JOB, 9] }]);
  assert.equal(rec.opened.length, 1);
  assert.equal(rec.opened[0].kind, 'yaml');
  assert.equal(rec.opened[0].text, 'lr: 0.001\n');
});

test('middleware: no target means no request; unknown commands pass through untouched', async () => {
  const rec = fake(() => 'unused');
  const calls: string[] = [];
  const next = async (command: string) => {
    calls.push(command);
    return 42;
  };
  const middleware = executeCommandMiddleware(rec.deps, () => ({}));
  await middleware('trainpath.showComposedConfig', [], next);
  assert.deepEqual(calls, []);
  assert.equal(rec.infos.length, 1);
  assert.equal(await middleware('trainpath.somethingElse', ['a'], next), 42);
  assert.deepEqual(calls, ['trainpath.somethingElse']);
  assert.deepEqual(rec.opened, []);
});

test('middleware: a failing lens request shows one error and no preview', async () => {
  const rec = fake(() => 'unused');
  const next = async () => {
    throw { code: -32603, message: 'chain failed' };
  };
  assert.equal(await executeCommandMiddleware(rec.deps)('trainpath.showChain', [JOB, 1], next), undefined);
  assert.deepEqual(rec.errors, ['trainpath: could not show the training path: chain failed']);
  assert.deepEqual(rec.opened, []);
});

test('argument helpers', () => {
  assert.deepEqual(commandArgs({}), []);
  assert.deepEqual(commandArgs({ uri: JOB }), [JOB]);
  assert.deepEqual(commandArgs({ uri: JOB, line: 0 }), [JOB, 0]);
  assert.deepEqual(targetFromArgs([JOB, 3]), { uri: JOB, line: 3 });
  assert.deepEqual(targetFromArgs([JOB, -1]), { uri: JOB });
  assert.deepEqual(targetFromArgs([JOB, '3']), { uri: JOB });
  assert.deepEqual(targetFromArgs([{ scheme: 'file' }]), {});
  assert.deepEqual(targetFromArgs([]), {});
  assert.equal(chainDocUri({ uri: 'file:///repo/my%20jobs.txt' }), 'trainpath-chain:/training%20path%2C%20my%20jobs.txt.md?source=file%3A%2F%2F%2Frepo%2Fmy%2520jobs.txt');
  assert.equal(composedDocUri({}), 'trainpath-composed:/composed%2C%20workspace.yaml');
});

/** Unit tests for the settings mapping (`toServerSettings` and friends). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  answerConfigurationItems,
  classifyConfigChange,
  Debouncer,
  didChangeConfigurationParams,
  toServerSettings,
  type ConfigLike,
} from '../src/settings';

function config(values: Record<string, unknown>): ConfigLike {
  return { get: <T>(key: string) => values[key] as T | undefined };
}

test('toServerSettings passes well-formed server settings through', () => {
  const settings = toServerSettings(
    config({
      rules: { 'stale-name': 'error', 'missing-act-param': 'off' },
      jobFiles: ['jobs*.txt', 'scripts/**/*.sh'],
      staleSuffixes: ['_old', '_v1'],
      modelPrefix: 'src.models.',
      'server.command': ['trainpath', 'serve'],
      'server.interpreter': '/usr/bin/python3',
      'trace.server': 'verbose',
    }),
  );
  assert.deepEqual(settings, {
    rules: { 'stale-name': 'error', 'missing-act-param': 'off' },
    jobFiles: ['jobs*.txt', 'scripts/**/*.sh'],
    staleSuffixes: ['_old', '_v1'],
    modelPrefix: 'src.models.',
  });
});

test('toServerSettings omits unset settings', () => {
  assert.deepEqual(toServerSettings(config({})), {});
});

test('toServerSettings drops malformed values instead of forwarding them', () => {
  const settings = toServerSettings(
    config({
      rules: { 'stale-name': 'fatal', 'missing-class': ' Warning ', '': 'error', 'yaml-syntax': 3 },
      jobFiles: 'jobs*.txt',
      staleSuffixes: ['_old', 7, '', '  ', '_bak'],
      modelPrefix: 42,
    }),
  );
  assert.deepEqual(settings, { rules: { 'missing-class': 'warning' }, staleSuffixes: ['_old', '_bak'] });
});

test('toServerSettings keeps an empty model prefix (models at the repository root)', () => {
  assert.deepEqual(toServerSettings(config({ modelPrefix: '' })), { modelPrefix: '' });
});

test('rules that are not an object are dropped', () => {
  assert.deepEqual(toServerSettings(config({ rules: ['stale-name'] })), {});
  assert.deepEqual(toServerSettings(config({ rules: null })), {});
});

test('didChangeConfiguration params nest the settings under trainpath', () => {
  assert.deepEqual(didChangeConfigurationParams(config({ modelPrefix: 'models.' })), {
    settings: { trainpath: { modelPrefix: 'models.' } },
  });
});

test('workspace/configuration answers map only the trainpath section, per scope', () => {
  const seen: (string | undefined)[] = [];
  const answer = answerConfigurationItems(
    [{ section: 'trainpath', scopeUri: 'file:///repo/a.yaml' }, { section: 'python' }, { section: 'trainpath' }],
    [{ raw: true }, { python: 1 }, { raw: true }],
    (scopeUri) => {
      seen.push(scopeUri);
      return { modelPrefix: scopeUri ?? 'none' };
    },
  );
  assert.deepEqual(answer, [{ modelPrefix: 'file:///repo/a.yaml' }, { python: 1 }, { modelPrefix: 'none' }]);
  assert.deepEqual(seen, ['file:///repo/a.yaml', undefined]);
});

test('a missing fallback answer becomes null', () => {
  assert.deepEqual(answerConfigurationItems([{ section: 'other' }], [], () => ({})), [null]);
});

test('classifyConfigChange: server.* restarts, server-facing settings push, others do nothing', () => {
  const affecting = (...sections: string[]) => (section: string) =>
    sections.some((changed) => changed === section || changed.startsWith(`${section}.`));
  assert.deepEqual(classifyConfigChange(affecting('trainpath.server.command')), { restart: true, push: false });
  assert.deepEqual(classifyConfigChange(affecting('trainpath.server.interpreter')), { restart: true, push: false });
  assert.deepEqual(classifyConfigChange(affecting('trainpath.rules')), { restart: false, push: true });
  assert.deepEqual(classifyConfigChange(affecting('trainpath.modelPrefix')), { restart: false, push: true });
  assert.deepEqual(classifyConfigChange(affecting('trainpath.jobFiles')), { restart: false, push: true });
  assert.deepEqual(classifyConfigChange(affecting('trainpath.staleSuffixes')), { restart: false, push: true });
  assert.deepEqual(classifyConfigChange(affecting('trainpath.trace.server')), { restart: false, push: false });
  assert.deepEqual(classifyConfigChange(affecting('editor.fontSize')), { restart: false, push: false });
});

test('Debouncer runs only the last of quick triggers, after the delay', () => {
  let now = 0;
  const pending = new Map<number, { at: number; callback: () => void }>();
  let nextId = 1;
  const timers = {
    setTimeout: (callback: () => void, ms: number) => {
      const id = nextId++;
      pending.set(id, { at: now + ms, callback });
      return id;
    },
    clearTimeout: (handle: unknown) => void pending.delete(handle as number),
  };
  const advance = (ms: number) => {
    now += ms;
    for (const [id, timer] of [...pending]) {
      if (timer.at <= now) {
        pending.delete(id);
        timer.callback();
      }
    }
  };
  const runs: string[] = [];
  const debouncer = new Debouncer(500, timers);
  debouncer.trigger(() => runs.push('first'));
  advance(300);
  debouncer.trigger(() => runs.push('second'));
  advance(300);
  assert.equal(runs.length, 0);
  assert.equal(debouncer.pending, true);
  advance(200);
  assert.deepEqual(runs, ['second']);
  assert.equal(debouncer.pending, false);
  debouncer.trigger(() => runs.push('third'));
  debouncer.cancel();
  advance(1000);
  assert.deepEqual(runs, ['second']);
});

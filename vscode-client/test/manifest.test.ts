/** The manifest (package.json) agrees with the code: ids, schemes, selector, settings, files. */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import * as protocol from '../src/protocol';
import { DEFAULT_SERVER_COMMAND } from '../src/serverCommand';

const ROOT = path.resolve(__dirname, '../..');
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const manifest: any = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));

test('contributed commands are exactly the palette commands of the client', () => {
  const ids = manifest.contributes.commands.map((command: { command: string }) => command.command).sort();
  assert.deepEqual(ids, [protocol.CMD_RESTART_SERVER, protocol.CMD_SHOW_COMPOSED_CONFIG, protocol.CMD_SHOW_TRAINING_PATH].sort());
  // trainpath.showChain is registered by the language client from the server's capabilities; contributing
  // it as well would put a second, argument-less entry in the palette.
  assert.equal(ids.includes(protocol.SERVER_SHOW_CHAIN), false);
});

test('the job language, its grammar and its language configuration exist', () => {
  const [language] = manifest.contributes.languages;
  assert.equal(language.id, protocol.JOBS_LANGUAGE_ID);
  assert.deepEqual(language.filenamePatterns, ['jobs*.txt']);
  assert.ok(existsSync(path.join(ROOT, language.configuration)));
  const [grammar] = manifest.contributes.grammars;
  assert.equal(grammar.language, protocol.JOBS_LANGUAGE_ID);
  const grammarJson = JSON.parse(readFileSync(path.join(ROOT, grammar.path), 'utf8'));
  assert.equal(grammarJson.scopeName, grammar.scopeName);
  assert.equal(manifest.contributes.languages.some((l: { id: string }) => l.id === 'yaml' || l.id === 'python'), false);
});

test('settings defaults match the code and the contract', () => {
  const props = manifest.contributes.configuration.properties;
  assert.deepEqual(props['trainpath.server.command'].default, [...DEFAULT_SERVER_COMMAND]);
  assert.equal(props['trainpath.server.interpreter'].default, '');
  assert.deepEqual(props['trainpath.trace.server'].enum, ['off', 'messages', 'verbose']);
  assert.deepEqual(props['trainpath.rules'].additionalProperties.enum, ['error', 'warning', 'info', 'hint', 'off']);
  assert.deepEqual(props['trainpath.jobFiles'].default, ['jobs*.txt', '**/*.sh']);
  assert.deepEqual(props['trainpath.staleSuffixes'].default, ['_original', '_old', '_backup', '_copy', '_deprecated', '_bak']);
  assert.equal(props['trainpath.modelPrefix'].default, 'models.');
});

test('activation, entry point and engine fit vscode-languageclient 11', () => {
  assert.equal(manifest.main, './dist/extension.js');
  assert.equal(manifest.engines.vscode, '^1.91.0');
  assert.ok(manifest.activationEvents.includes(`onLanguage:${protocol.JOBS_LANGUAGE_ID}`));
  assert.ok(manifest.activationEvents.includes('workspaceContains:**/config/**/*.yaml'));
  assert.match(manifest.dependencies['vscode-languageclient'], /^\^11\./);
  assert.ok(manifest.publisher);
});

test('the document selector covers yaml, python, job files and shell scripts on disk', () => {
  assert.deepEqual(protocol.DOCUMENT_SELECTOR, [
    { scheme: 'file', language: 'yaml' },
    { scheme: 'file', language: 'python' },
    { scheme: 'file', language: 'trainpath-jobs' },
    { scheme: 'file', language: 'shellscript' },
  ]);
});

test('server-backed menu entries are hidden while the server is not running', () => {
  const entries = Object.values(manifest.contributes.menus).flat() as { command: string; when?: string }[];
  const composed = entries.filter((entry) => entry.command === protocol.CMD_SHOW_COMPOSED_CONFIG);
  assert.equal(composed.length, 3);
  for (const entry of composed) {
    assert.match(entry.when ?? '', /^trainpath\.serverRunning && /);
  }
});

/** Unit tests for the `trainpath/status` payload check and the status-bar text. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseStatus, statusText } from '../src/status';

test('parseStatus accepts the protocol shape', () => {
  assert.deepEqual(parseStatus({ state: 'ready', brokenChains: 2 }), { state: 'ready', brokenChains: 2 });
  assert.deepEqual(parseStatus({ state: 'error', brokenChains: 0, message: 'config/ unreadable' }), {
    state: 'error',
    brokenChains: 0,
    message: 'config/ unreadable',
  });
  assert.deepEqual(parseStatus({ state: 'indexing' }), { state: 'indexing', brokenChains: 0 });
});

test('parseStatus rejects what is not a status and normalises odd counts', () => {
  assert.equal(parseStatus(null), undefined);
  assert.equal(parseStatus('ready'), undefined);
  assert.equal(parseStatus({ state: 'stopped', brokenChains: 0 }), undefined);
  assert.equal(parseStatus({ brokenChains: 1 }), undefined);
  assert.deepEqual(parseStatus({ state: 'ready', brokenChains: -3 }), { state: 'ready', brokenChains: 0 });
  assert.deepEqual(parseStatus({ state: 'ready', brokenChains: '4' }), { state: 'ready', brokenChains: 0 });
  assert.deepEqual(parseStatus({ state: 'ready', brokenChains: 2.7, message: '  ' }), { state: 'ready', brokenChains: 2 });
});

test('statusText for each state', () => {
  assert.deepEqual(statusText({ state: 'ready', brokenChains: 0 }), {
    text: '$(check) trainpath',
    tooltip: 'trainpath: every training path resolves. Click to open Problems.',
    kind: 'normal',
  });
  assert.deepEqual(statusText({ state: 'ready', brokenChains: 1 }), {
    text: '$(warning) trainpath: 1 broken chain',
    tooltip: 'trainpath: 1 training path with a broken link. Click to open Problems.',
    kind: 'warning',
  });
  assert.equal(statusText({ state: 'ready', brokenChains: 3 }).text, '$(warning) trainpath: 3 broken chains');
  assert.deepEqual(statusText({ state: 'indexing', brokenChains: 0 }), {
    text: '$(sync~spin) trainpath: indexing',
    tooltip: 'trainpath: reading jobs, scripts and configs',
    kind: 'normal',
  });
  assert.deepEqual(statusText({ state: 'error', brokenChains: 0, message: 'boom' }), {
    text: '$(error) trainpath: error',
    tooltip: 'trainpath: the language server reported an error\nboom',
    kind: 'error',
  });
  assert.equal(statusText({ state: 'starting', brokenChains: 0 }).text, '$(loading~spin) trainpath');
  assert.equal(statusText({ state: 'stopped', brokenChains: 0 }).kind, 'warning');
  assert.equal(statusText({ state: 'not-installed', brokenChains: 0 }).text, '$(error) trainpath: not installed');
});

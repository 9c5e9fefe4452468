/** Unit tests for starting the server: command vs interpreter, PATH lookup, ENOENT detection. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findExecutable, isSpawnNotFound, notInstalledMessage, resolveServerCommand } from '../src/serverCommand';

const vars = { workspaceFolder: '/work/repo', userHome: '/home/me' };

test('defaults to `trainpath serve` when nothing is set', () => {
  assert.deepEqual(resolveServerCommand({}, vars), { ok: true, command: 'trainpath', args: ['serve'], source: 'default' });
  assert.deepEqual(resolveServerCommand({ command: null, interpreter: '' }, vars), {
    ok: true,
    command: 'trainpath',
    args: ['serve'],
    source: 'default',
  });
});

test('uses trainpath.server.command as program and arguments', () => {
  assert.deepEqual(resolveServerCommand({ command: ['/opt/tp/bin/trainpath', 'serve', '--log', 'debug'] }, vars), {
    ok: true,
    command: '/opt/tp/bin/trainpath',
    args: ['serve', '--log', 'debug'],
    source: 'command',
  });
});

test('the interpreter wins over the command and runs `-m trainpath serve`', () => {
  assert.deepEqual(resolveServerCommand({ command: ['other', 'serve'], interpreter: ' /usr/bin/python3.11 ' }, vars), {
    ok: true,
    command: '/usr/bin/python3.11',
    args: ['-m', 'trainpath', 'serve'],
    source: 'interpreter',
  });
});

test('expands ${workspaceFolder}, ${userHome}, ~ and workspace-relative program paths', () => {
  assert.deepEqual(resolveServerCommand({ interpreter: '${workspaceFolder}/.venv/bin/python' }, vars), {
    ok: true,
    command: '/work/repo/.venv/bin/python',
    args: ['-m', 'trainpath', 'serve'],
    source: 'interpreter',
  });
  assert.deepEqual(resolveServerCommand({ interpreter: '.venv/bin/python' }, vars), {
    ok: true,
    command: '/work/repo/.venv/bin/python',
    args: ['-m', 'trainpath', 'serve'],
    source: 'interpreter',
  });
  assert.deepEqual(resolveServerCommand({ command: ['~/bin/trainpath', 'serve', '--root=${workspaceFolder}'] }, vars), {
    ok: true,
    command: '/home/me/bin/trainpath',
    args: ['serve', '--root=/work/repo'],
    source: 'command',
  });
  assert.deepEqual(resolveServerCommand({ command: ['${userHome}/tp', 'serve'] }, vars), {
    ok: true,
    command: '/home/me/tp',
    args: ['serve'],
    source: 'command',
  });
});

test('an unexpandable variable is an error, not a literal program name', () => {
  assert.deepEqual(resolveServerCommand({ interpreter: '${workspaceFolder}/.venv/bin/python' }, {}), {
    ok: false,
    error: 'trainpath.server.interpreter: cannot expand ${workspaceFolder} here',
  });
  assert.deepEqual(resolveServerCommand({ command: ['${env:TP_HOME}/tp'] }, vars), {
    ok: false,
    error: 'trainpath.server.command: cannot expand ${env:TP_HOME} here',
  });
  assert.deepEqual(resolveServerCommand({ command: ['${config:python.path}'] }, vars), {
    ok: false,
    error: 'trainpath.server.command: cannot expand ${config:python.path} here',
  });
  assert.deepEqual(resolveServerCommand({ command: ['${env:TP_HOME}/tp'] }, { ...vars, env: { TP_HOME: '/opt/tp' } }), {
    ok: true,
    command: '/opt/tp/tp',
    args: [],
    source: 'command',
  });
});

test('malformed command settings give a clear error', () => {
  const expected = {
    ok: false,
    error: 'trainpath.server.command must be a non-empty list of strings, e.g. ["trainpath", "serve"].',
  };
  assert.deepEqual(resolveServerCommand({ command: [] }, vars), expected);
  assert.deepEqual(resolveServerCommand({ command: 'trainpath serve' }, vars), expected);
  assert.deepEqual(resolveServerCommand({ command: ['trainpath', 3] }, vars), expected);
  assert.deepEqual(resolveServerCommand({ command: ['  ', 'serve'] }, vars), expected);
  assert.deepEqual(resolveServerCommand({ interpreter: ['python'] }, vars), {
    ok: false,
    error: 'trainpath.server.interpreter must be a string (a path to python).',
  });
});

test('findExecutable searches PATH in order and checks explicit paths directly', () => {
  const files = new Set(['/usr/local/bin/trainpath', '/usr/bin/trainpath', '/work/repo/.venv/bin/python']);
  const exists = (file: string) => files.has(file);
  const env = { PATH: '/nope:/usr/local/bin::/usr/bin' };
  assert.equal(findExecutable('trainpath', env, exists, 'linux'), '/usr/local/bin/trainpath');
  assert.equal(findExecutable('trainpath', { PATH: '/usr/bin' }, exists, 'linux'), '/usr/bin/trainpath');
  assert.equal(findExecutable('missing', env, exists, 'linux'), undefined);
  assert.equal(findExecutable('trainpath', {}, exists, 'linux'), undefined);
  assert.equal(findExecutable('/work/repo/.venv/bin/python', {}, exists, 'linux'), '/work/repo/.venv/bin/python');
  assert.equal(findExecutable('/work/repo/.venv/bin/python3', env, exists, 'linux'), undefined);
});

test('findExecutable applies PATHEXT on Windows', () => {
  const files = new Set(['C:\\py\\Scripts\\trainpath.EXE']);
  const exists = (file: string) => files.has(file);
  assert.equal(
    findExecutable('trainpath', { PATH: 'C:\\Windows;C:\\py\\Scripts', PATHEXT: '.COM;.EXE' }, exists, 'win32'),
    'C:\\py\\Scripts\\trainpath.EXE',
  );
});

test('isSpawnNotFound recognises ENOENT in the shapes the language client produces', () => {
  assert.equal(isSpawnNotFound('Launching server using command trainpath failed. Error: spawn trainpath ENOENT'), true);
  assert.equal(isSpawnNotFound(Object.assign(new Error('spawn x'), { code: 'ENOENT' })), true);
  assert.equal(isSpawnNotFound(new Error('spawn trainpath ENOENT')), true);
  assert.equal(isSpawnNotFound('Launching server using command trainpath failed.'), false);
  assert.equal(isSpawnNotFound(new Error('EACCES')), false);
  assert.equal(isSpawnNotFound(undefined), false);
});

test('the not-installed message names the program and the setting to change', () => {
  assert.match(notInstalledMessage('trainpath', 'default'), /^trainpath: the language server "trainpath" was not found\./);
  assert.match(notInstalledMessage('trainpath', 'default'), /trainpath\.server\.interpreter/);
  assert.equal(
    notInstalledMessage('/venv/bin/python', 'interpreter'),
    'trainpath: the Python interpreter "/venv/bin/python" (trainpath.server.interpreter) was not found.',
  );
});

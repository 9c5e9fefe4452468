/**
 * The job-file TextMate grammar: every regex compiles in JavaScript, and the real
 * TextMate engine (vscode-textmate + Oniguruma, as in VS Code) gives the expected
 * scopes on sample job lines.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { before, test } from 'node:test';
import * as oniguruma from 'vscode-oniguruma';
import * as vsctm from 'vscode-textmate';

const GRAMMAR_PATH = path.resolve(__dirname, '../../vscode-client/syntaxes/trainpath-jobs.tmLanguage.json');
const S = '.trainpath-jobs';
let grammar: vsctm.IGrammar;

function collectRegexes(node: unknown, found: { where: string; source: string }[], where = '$'): void {
  if (Array.isArray(node)) {
    node.forEach((item, i) => collectRegexes(item, found, `${where}[${i}]`));
  } else if (typeof node === 'object' && node !== null) {
    for (const [key, value] of Object.entries(node)) {
      if (['match', 'begin', 'end', 'while'].includes(key) && typeof value === 'string') {
        found.push({ where: `${where}.${key}`, source: value });
      } else {
        collectRegexes(value, found, `${where}.${key}`);
      }
    }
  }
}

before(async () => {
  const wasm = readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm'));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const registry = new vsctm.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns: string[]) => new oniguruma.OnigScanner(patterns),
      createOnigString: (text: string) => new oniguruma.OnigString(text),
    }),
    loadGrammar: async (scopeName: string) =>
      scopeName === 'source.trainpath-jobs'
        ? vsctm.parseRawGrammar(readFileSync(GRAMMAR_PATH, 'utf8'), GRAMMAR_PATH)
        : null,
  });
  const loaded = await registry.loadGrammar('source.trainpath-jobs');
  assert.ok(loaded, 'grammar did not load');
  grammar = loaded;
});

/** Tokenises lines (carrying state across them) and returns [text, innermost scope] per token. */
function tokenize(...lines: string[]): [string, string][][] {
  let stack = vsctm.INITIAL;
  return lines.map((line) => {
    const result = grammar.tokenizeLine(line, stack);
    stack = result.ruleStack;
    return result.tokens.map((token): [string, string] => [
      line.slice(token.startIndex, token.endIndex),
      token.scopes[token.scopes.length - 1],
    ]);
  });
}

/** The innermost scope of the token whose text is exactly `text` (the nth such token). */
function scopeOf(tokens: [string, string][], text: string, nth = 0): string | undefined {
  return tokens.filter(([tokenText]) => tokenText === text)[nth]?.[1];
}

test('every regex in the grammar compiles as a JavaScript RegExp', () => {
  const grammarJson: unknown = JSON.parse(readFileSync(GRAMMAR_PATH, 'utf8'));
  const regexes: { where: string; source: string }[] = [];
  collectRegexes(grammarJson, regexes);
  assert.ok(regexes.length >= 20, `only ${regexes.length} regexes found`);
  for (const { where, source } of regexes) {
    assert.doesNotThrow(() => new RegExp(source), `${where}: ${source}`);
  }
});

test('queue markers, torchrun, script, --config-name, overrides and PID', () => {
  const [tokens] = tokenize(
    '[-] torchrun --nproc_per_node=4 pretrain_etrm.py --config-name cfg_pretrain_etrm_arc_agi_1 arch.encoder_type=standard [12345]',
  );
  assert.equal(scopeOf(tokens, '['), 'punctuation.definition.marker.begin' + S);
  assert.equal(scopeOf(tokens, '-'), 'markup.changed.marker.running' + S);
  assert.equal(scopeOf(tokens, 'torchrun'), 'keyword.control.launcher' + S);
  assert.equal(scopeOf(tokens, '--nproc_per_node'), 'variable.parameter.option' + S);
  assert.equal(scopeOf(tokens, '4'), 'string.unquoted.option-value' + S);
  assert.equal(scopeOf(tokens, 'pretrain_etrm.py'), 'entity.name.function.script' + S);
  assert.equal(scopeOf(tokens, '--config-name'), 'keyword.other.option.config-name' + S);
  assert.equal(scopeOf(tokens, 'cfg_pretrain_etrm_arc_agi_1'), 'entity.name.section.config-name' + S);
  assert.equal(scopeOf(tokens, 'arch.encoder_type'), 'variable.other.key' + S);
  assert.equal(scopeOf(tokens, 'standard'), 'string.unquoted.value' + S);
  assert.equal(scopeOf(tokens, '12345'), 'constant.numeric.pid' + S);
});

test('each marker kind has its own scope', () => {
  const scopes = tokenize('[ ] python a.py', '[x] python a.py', '[X] python a.py', '[!] python a.py').map(
    (tokens) => tokens[1][1],
  );
  assert.deepEqual(scopes, [
    'constant.language.marker.pending' + S,
    'markup.inserted.marker.done' + S,
    'markup.inserted.marker.done' + S,
    'markup.deleted.marker.failed' + S,
  ]);
  const [notMarker] = tokenize('see [x] here');
  assert.equal(notMarker.some(([, scope]) => scope.includes('marker')), false);
});

test('env prefix, uv run launcher, -cn, override prefixes and value kinds', () => {
  const [tokens] = tokenize(
    '[ ] CUDA_VISIBLE_DEVICES=0,1 uv run torchrun pretrain.py -cn cfg_x +arch.halt_max_steps=16 ++lr=1e-4 ~arch.puzzle_emb use_ema=true dir=${hydra:runtime.cwd}/out',
  );
  assert.equal(scopeOf(tokens, 'CUDA_VISIBLE_DEVICES'), 'variable.other.env' + S);
  assert.equal(scopeOf(tokens, '0,1'), 'string.unquoted.env-value' + S);
  assert.equal(scopeOf(tokens, 'uv run'), 'keyword.control.launcher' + S);
  assert.equal(scopeOf(tokens, 'torchrun'), 'keyword.control.launcher' + S);
  assert.equal(scopeOf(tokens, '-cn'), 'keyword.other.option.config-name' + S);
  assert.equal(scopeOf(tokens, 'cfg_x'), 'entity.name.section.config-name' + S);
  assert.equal(scopeOf(tokens, '+'), 'keyword.operator.override-prefix' + S);
  assert.equal(scopeOf(tokens, 'arch.halt_max_steps'), 'variable.other.key' + S);
  assert.equal(scopeOf(tokens, '16'), 'constant.numeric' + S);
  assert.equal(scopeOf(tokens, '++'), 'keyword.operator.override-prefix' + S);
  assert.equal(scopeOf(tokens, '1e-4'), 'constant.numeric' + S);
  assert.equal(scopeOf(tokens, '~'), 'keyword.operator.override-prefix' + S);
  assert.equal(scopeOf(tokens, 'arch.puzzle_emb'), 'variable.other.key' + S);
  assert.equal(scopeOf(tokens, 'true'), 'constant.language' + S);
  assert.equal(scopeOf(tokens, '${hydra:runtime.cwd}'), 'variable.other.interpolation' + S);
  assert.equal(scopeOf(tokens, '/out'), 'string.unquoted.value' + S);
});

test('accelerate launch, --config-name=, group overrides and a trailing comment', () => {
  const [tokens] = tokenize('accelerate launch train.py --config-name=cfg_y arch=trm  # semi-final SF1');
  assert.equal(scopeOf(tokens, 'accelerate launch'), 'keyword.control.launcher' + S);
  assert.equal(scopeOf(tokens, 'train.py'), 'entity.name.function.script' + S);
  assert.equal(scopeOf(tokens, '='), 'keyword.operator.assignment' + S);
  assert.equal(scopeOf(tokens, 'cfg_y'), 'entity.name.section.config-name' + S);
  assert.equal(scopeOf(tokens, 'arch'), 'variable.other.key' + S);
  assert.equal(scopeOf(tokens, 'trm'), 'string.unquoted.value' + S);
  assert.equal(scopeOf(tokens, '#'), 'punctuation.definition.comment' + S);
  assert.equal(scopeOf(tokens, ' semi-final SF1'), 'comment.line.number-sign' + S);
});

test('comment lines are comments through and through', () => {
  const [tokens] = tokenize('# torchrun pretrain.py arch=trm');
  assert.deepEqual(tokens, [
    ['#', 'punctuation.definition.comment' + S],
    [' torchrun pretrain.py arch=trm', 'comment.line.number-sign' + S],
  ]);
});

test('line continuations carry the command onto the next lines', () => {
  const [first, second, third, fourth, after] = tokenize(
    'python -m torch.distributed.run pretrain.py \\',
    '    --config-name cfg_z \\',
    '    arch.L_layers=2 "data.path=data/arc 1" \\',
    'arch=trm',
    'epochs=3',
  );
  assert.equal(scopeOf(fourth, 'arch'), 'variable.other.key' + S);
  assert.equal(scopeOf(fourth, 'trm'), 'string.unquoted.value' + S);
  assert.equal(scopeOf(first, '-m'), 'variable.parameter.option' + S);
  assert.equal(scopeOf(first, 'torch.distributed.run'), 'entity.name.function.module' + S);
  assert.equal(scopeOf(first, '\\'), 'constant.character.escape.line-continuation' + S);
  assert.equal(scopeOf(second, 'cfg_z'), 'entity.name.section.config-name' + S);
  assert.equal(scopeOf(third, 'arch.L_layers'), 'variable.other.key' + S);
  assert.equal(scopeOf(third, '2'), 'constant.numeric' + S);
  assert.equal(scopeOf(third, 'data.path'), 'variable.other.key' + S);
  assert.equal(scopeOf(third, '"'), 'string.quoted.double' + S);
  // The command ended with line 3: a bare assignment on the next line is an env prefix again.
  assert.equal(scopeOf(after, 'epochs'), 'variable.other.env' + S);
});

test('a job line that starts with the script still gets overrides', () => {
  const [tokens] = tokenize('pretrain_etrm.py --config-name cfg_a arch.encoder_type=hybrid');
  assert.equal(scopeOf(tokens, 'pretrain_etrm.py'), 'entity.name.function.script' + S);
  assert.equal(scopeOf(tokens, 'cfg_a'), 'entity.name.section.config-name' + S);
  assert.equal(scopeOf(tokens, 'hybrid'), 'string.unquoted.value' + S);
});

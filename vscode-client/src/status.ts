/**
 * The status-bar text for the language server's state.
 *
 * The server reports `trainpath/status` notifications
 * (`{state: "indexing"|"ready"|"error", brokenChains, message?}`); the client adds
 * its own phases (`starting`, `stopped`, `not-installed`). `parseStatus` validates a
 * notification payload; `statusText` turns a status into the item's text, tooltip
 * and colour class.
 */

export type ServerState = 'indexing' | 'ready' | 'error';
export type ClientPhase = 'starting' | 'stopped' | 'not-installed';

export interface ServerStatus {
  state: ServerState | ClientPhase;
  brokenChains: number;
  message?: string;
}

export interface StatusText {
  text: string;
  tooltip: string;
  /** `warning`/`error` map to the status bar's warning/error background colours. */
  kind: 'normal' | 'warning' | 'error';
}

const SERVER_STATES: readonly string[] = ['indexing', 'ready', 'error'];

/** A `trainpath/status` payload, or undefined when it is not one. */
export function parseStatus(raw: unknown): ServerStatus | undefined {
  if (typeof raw !== 'object' || raw === null) {
    return undefined;
  }
  const { state, brokenChains, message } = raw as Record<string, unknown>;
  if (typeof state !== 'string' || !SERVER_STATES.includes(state)) {
    return undefined;
  }
  const broken =
    typeof brokenChains === 'number' && Number.isFinite(brokenChains) && brokenChains > 0
      ? Math.floor(brokenChains)
      : 0;
  const status: ServerStatus = { state: state as ServerState, brokenChains: broken };
  if (typeof message === 'string' && message.trim() !== '') {
    status.message = message;
  }
  return status;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/** Status-bar text, tooltip and colour class for a status. */
export function statusText(status: ServerStatus): StatusText {
  const detail = status.message !== undefined ? `\n${status.message}` : '';
  switch (status.state) {
    case 'starting':
      return { text: '$(loading~spin) trainpath', tooltip: 'trainpath: starting the language server' + detail, kind: 'normal' };
    case 'indexing':
      return { text: '$(sync~spin) trainpath: indexing', tooltip: 'trainpath: reading jobs, scripts and configs' + detail, kind: 'normal' };
    case 'ready':
      if (status.brokenChains > 0) {
        return {
          text: `$(warning) trainpath: ${plural(status.brokenChains, 'broken chain')}`,
          tooltip: `trainpath: ${plural(status.brokenChains, 'training path')} with a broken link. Click to open Problems.${detail}`,
          kind: 'warning',
        };
      }
      return { text: '$(check) trainpath', tooltip: 'trainpath: every training path resolves. Click to open Problems.' + detail, kind: 'normal' };
    case 'error':
      return { text: '$(error) trainpath: error', tooltip: 'trainpath: the language server reported an error' + detail, kind: 'error' };
    case 'stopped':
      return { text: '$(circle-slash) trainpath: stopped', tooltip: 'trainpath: the language server is not running. Run "trainpath: Restart language server".' + detail, kind: 'warning' };
    case 'not-installed':
      return { text: '$(error) trainpath: not installed', tooltip: 'trainpath: the language server could not be started' + detail, kind: 'error' };
  }
}

/**
 * tofu's machine-readable UI (`-json`): one JSON object per line. This turns the
 * lines storm cares about into a closed set of events; everything else is kept
 * as 'other' so nothing is silently misread.
 */

export type ChangeAction = 'create' | 'read' | 'update' | 'replace' | 'delete' | 'noop' | 'forget' | 'open';

export interface UiDiagnostic {
  severity: 'error' | 'warning';
  summary: string;
  detail: string;
  address?: string;
}

export interface ChangeCounts {
  add: number;
  change: number;
  remove: number;
  operation: string;
}

export type UiEvent =
  | { type: 'apply_start'; address: string; action: ChangeAction }
  | { type: 'apply_progress'; address: string; action: ChangeAction; elapsedSeconds: number }
  | { type: 'apply_complete'; address: string; action: ChangeAction; elapsedSeconds: number; id?: string }
  | { type: 'apply_errored'; address: string; action: ChangeAction; elapsedSeconds: number }
  | { type: 'planned_change'; address: string; action: ChangeAction }
  | { type: 'refresh_complete'; address: string }
  | { type: 'change_summary'; changes: ChangeCounts }
  | { type: 'diagnostic'; diagnostic: UiDiagnostic }
  | { type: 'outputs'; outputs: Record<string, { sensitive: boolean; value?: unknown }> }
  | { type: 'log'; level: string; message: string }
  | { type: 'other'; raw: string };

export function parseUiLine(line: string): UiEvent | undefined {
  const text = line.trim();
  if (text === '') return undefined;
  let msg: unknown;
  try {
    msg = JSON.parse(text);
  } catch {
    return { type: 'log', level: 'info', message: text };
  }
  if (!isRecord(msg) || typeof msg.type !== 'string') return { type: 'other', raw: text };
  const hook = isRecord(msg.hook) ? msg.hook : {};
  const address = isRecord(hook.resource) && typeof hook.resource.addr === 'string' ? hook.resource.addr : '';
  const action = toAction(hook.action);
  const elapsedSeconds = typeof hook.elapsed_seconds === 'number' ? hook.elapsed_seconds : 0;
  switch (msg.type) {
    case 'apply_start':
      return { type: 'apply_start', address, action };
    case 'apply_progress':
      return { type: 'apply_progress', address, action, elapsedSeconds };
    case 'apply_complete':
      return {
        type: 'apply_complete',
        address,
        action,
        elapsedSeconds,
        ...(typeof hook.id_value === 'string' ? { id: hook.id_value } : {}),
      };
    case 'apply_errored':
      return { type: 'apply_errored', address, action, elapsedSeconds };
    case 'refresh_complete':
      return { type: 'refresh_complete', address };
    case 'planned_change': {
      const change = isRecord(msg.change) ? msg.change : {};
      const res = isRecord(change.resource) && typeof change.resource.addr === 'string' ? change.resource.addr : '';
      return { type: 'planned_change', address: res, action: toAction(change.action) };
    }
    case 'change_summary': {
      const c = isRecord(msg.changes) ? msg.changes : {};
      return {
        type: 'change_summary',
        changes: {
          add: numberOr0(c.add),
          change: numberOr0(c.change),
          remove: numberOr0(c.remove),
          operation: typeof c.operation === 'string' ? c.operation : 'plan',
        },
      };
    }
    case 'diagnostic': {
      const d = isRecord(msg.diagnostic) ? msg.diagnostic : {};
      return {
        type: 'diagnostic',
        diagnostic: {
          severity: d.severity === 'warning' ? 'warning' : 'error',
          summary: typeof d.summary === 'string' ? d.summary : String(msg['@message'] ?? ''),
          detail: typeof d.detail === 'string' ? d.detail : '',
          ...(typeof d.address === 'string' ? { address: d.address } : {}),
        },
      };
    }
    case 'outputs': {
      const outputs: Record<string, { sensitive: boolean; value?: unknown }> = {};
      if (isRecord(msg.outputs)) {
        for (const [k, v] of Object.entries(msg.outputs)) {
          if (!isRecord(v)) continue;
          outputs[k] = { sensitive: v.sensitive === true, ...('value' in v ? { value: v.value } : {}) };
        }
      }
      return { type: 'outputs', outputs };
    }
    case 'log':
    case 'version':
      return {
        type: 'log',
        level: typeof msg['@level'] === 'string' ? msg['@level'] : 'info',
        message: typeof msg['@message'] === 'string' ? msg['@message'] : '',
      };
    default:
      return { type: 'other', raw: text };
  }
}

function toAction(v: unknown): ChangeAction {
  switch (v) {
    case 'create':
    case 'read':
    case 'update':
    case 'replace':
    case 'delete':
    case 'noop':
    case 'forget':
    case 'open':
      return v;
    default:
      return 'noop';
  }
}

/** Splits a byte stream into lines, keeping the unfinished tail for the next chunk. */
export class LineSplitter {
  private tail = '';
  push(chunk: string): string[] {
    const text = this.tail + chunk;
    const lines = text.split('\n');
    this.tail = lines.pop() ?? '';
    return lines;
  }
  end(): string[] {
    const rest = this.tail;
    this.tail = '';
    return rest === '' ? [] : [rest];
  }
}

/** Running tally of an apply, from its events. */
export class ApplyTally {
  readonly finished: Array<{ address: string; action: ChangeAction; elapsedSeconds: number; ok: boolean }> = [];
  readonly diagnostics: UiDiagnostic[] = [];
  readonly inFlight = new Set<string>();
  summary: ChangeCounts | undefined;
  outputs: Record<string, { sensitive: boolean; value?: unknown }> | undefined;

  constructor(readonly total: number) {}

  apply(event: UiEvent): void {
    switch (event.type) {
      case 'apply_start':
        this.inFlight.add(event.address);
        return;
      case 'apply_complete':
        this.inFlight.delete(event.address);
        this.finished.push({
          address: event.address,
          action: event.action,
          elapsedSeconds: event.elapsedSeconds,
          ok: true,
        });
        return;
      case 'apply_errored':
        this.inFlight.delete(event.address);
        this.finished.push({
          address: event.address,
          action: event.action,
          elapsedSeconds: event.elapsedSeconds,
          ok: false,
        });
        return;
      case 'diagnostic':
        this.diagnostics.push(event.diagnostic);
        return;
      case 'change_summary':
        this.summary = event.changes;
        return;
      case 'outputs':
        this.outputs = event.outputs;
        return;
      case 'apply_progress':
      case 'planned_change':
      case 'refresh_complete':
      case 'log':
      case 'other':
        return;
    }
  }

  get done(): number {
    return this.finished.length;
  }
}

function numberOr0(v: unknown): number {
  return typeof v === 'number' ? v : 0;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

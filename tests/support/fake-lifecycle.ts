/**
 * The lifecycle's collaborators, faked in-process (no tofu, no cloud, no sandbox) so a
 * test can drive plan/provision/destroy/status/deploy end to end and see every call:
 * - an engine that keeps each workspace's state in memory and plans by comparing the
 *   configuration's resources with it (create, update, delete), writing the plan as the
 *   `tofu show -json` document it would read back;
 * - a synthesis that turns a resolved city into a few resources of that shape;
 * - deploy, withdraw, audit and health probes that record what they were given.
 * Progress events land in `events`, in order, like a test IO host.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { AuditRecordInput } from '../../src/audit/audit-record';
import type { CloudCredentials } from '../../src/cloud/credentials';
import type { DeployInput } from '../../src/deploy/deploy-step';
import type { AppliedResource } from '../../src/engine/apply';
import type { PlanMode, StackRun } from '../../src/engine/plan';
import { summarizePlan } from '../../src/engine/plan-changes';
import type { StateSnapshot } from '../../src/engine/state';
import { EMPTY_STATE } from '../../src/engine/state';
import { StormError } from '../../src/errors';
import type { LifecycleContext, LifecycleDeps, TofuOperations } from '../../src/lifecycle/context';
import type { ResolvedCity } from '../../src/manifest/model';
import type { ProgressEvent } from '../../src/progress';

type Body = Record<string, unknown>;

/** The resources of a configuration, by address. */
function resourcesOf(terraformJson: unknown): Map<string, Body> {
  const out = new Map<string, Body>();
  const resource = (terraformJson as { resource?: Record<string, Record<string, Body>> }).resource ?? {};
  for (const [type, byName] of Object.entries(resource))
    for (const [name, body] of Object.entries(byName)) out.set(`${type}.${name}`, body);
  return out;
}

interface FakeState {
  serial: number;
  resources: Map<string, Body>;
  outputs: Record<string, { sensitive: boolean; value: unknown }>;
}

/** What the fake apply does instead of finishing: stop as an interruption would, with these creates unfinished. */
export interface ApplyStop {
  unfinishedCreates: string[];
}

export class FakeLifecycle {
  readonly events: ProgressEvent[] = [];
  readonly calls: string[] = [];
  readonly audits: AuditRecordInput[] = [];
  /** Cities whose audit log does not verify (auditReady refuses them). */
  readonly brokenAuditLogs = new Set<string>();
  readonly deploys: DeployInput[] = [];
  readonly withdrawals: string[] = [];
  readonly adoptions: string[][] = [];
  /** Set to make the next apply stop early. */
  stopNextApply: ApplyStop | undefined;
  private readonly states = new Map<string, FakeState>();
  private readonly configs = new Map<string, unknown>();

  constructor(readonly cwd: string) {}

  /** A lifecycle context whose progress lands in `events`. */
  context(options: { signal?: AbortSignal } = {}): LifecycleContext {
    return {
      cwd: this.cwd,
      // No OS_*: the project's clouds.yaml names the cloud.
      env: { PATH: process.env.PATH ?? '' },
      progress: (event) => this.events.push(event),
      deps: this.deps(),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    };
  }

  /** The state of a stack as the fake engine holds it. */
  state(city: string, env: string): FakeState | undefined {
    return this.states.get(`${city}/${env}`);
  }

  /** The progress messages (steps, warnings, details), in order. */
  messages(kind?: 'step' | 'detail' | 'warning'): string[] {
    return this.events.flatMap((e) =>
      (e.kind === 'step' || e.kind === 'detail' || e.kind === 'warning') && (kind === undefined || e.kind === kind)
        ? [e.message]
        : [],
    );
  }

  deps(): LifecycleDeps {
    return {
      engine: () => {
        this.calls.push('engine');
        return Promise.resolve({ tofuPath: '/fake/tofu', cliConfigPath: '/fake/cli.tfrc', tofuVersion: '1.12.6' });
      },
      tofu: this.tofu(),
      synth: (_loaded, resolved) => Promise.resolve(fakeSynth(resolved)),
      sandbox: () => Promise.reject(new StormError('internal', 'the fake lifecycle uses the clouds.yaml cloud')),
      deploy: (input) => {
        this.deploys.push(input);
        return Promise.resolve({ status: 'nothing-to-deploy', services: [], message: 'fake deploy' });
      },
      withdraw: (input) => {
        this.withdrawals.push(`${input.city.city.name}/${input.city.env}`);
        return Promise.resolve();
      },
      audit: (_cwd, record) => {
        this.audits.push(record);
        return Promise.resolve();
      },
      auditReady: (_cwd, city) =>
        this.brokenAuditLogs.has(city)
          ? Promise.reject(new StormError('audit-tampered', `the audit log of ${city} does not verify`))
          : Promise.resolve(),
      serviceHealth: (outputs) =>
        Promise.resolve([{ service: 'web', url: String(outputs.network_name), healthy: true, detail: 'version fake' }]),
    };
  }

  private key(run: StackRun): string {
    return `${run.ws.city}/${run.ws.env}`;
  }

  private snapshot(run: StackRun): StateSnapshot {
    const s = this.states.get(this.key(run));
    if (s === undefined) return EMPTY_STATE;
    const addresses = [...s.resources.keys()].sort();
    return {
      serial: s.serial,
      lineage: 'fake-lineage',
      addresses,
      resources: addresses.map((address) => ({
        address,
        type: address.split('.')[0] ?? '',
        id: `id-${address}`,
        name: String(s.resources.get(address)?.name ?? ''),
      })),
      outputs: s.outputs,
    };
  }

  /** The `tofu show -json` document of a plan of this stack in this mode. */
  private planDocument(run: StackRun, mode: PlanMode): unknown {
    const current = this.states.get(this.key(run))?.resources ?? new Map<string, Body>();
    const wanted = mode === 'destroy' ? new Map<string, Body>() : resourcesOf(this.configs.get(this.key(run)));
    const changes: unknown[] = [];
    if (mode !== 'refresh-only') {
      const addresses = [...new Set([...current.keys(), ...wanted.keys()])].sort();
      for (const address of addresses) {
        const before = current.get(address) ?? null;
        const after = wanted.get(address) ?? null;
        const actions =
          before === null
            ? ['create']
            : after === null
              ? ['delete']
              : JSON.stringify(before) === JSON.stringify(after)
                ? ['no-op']
                : ['update'];
        const [type = '', name = ''] = address.split('.');
        changes.push({ address, mode: 'managed', type, name, change: { actions, before, after } });
      }
    }
    return { format_version: '1.2', resource_changes: changes };
  }

  private tofu(): TofuOperations {
    const planOnly: TofuOperations['planOnly'] = (run, planFile, mode) => {
      this.calls.push(`plan ${this.key(run)} ${mode}`);
      const doc = this.planDocument(run, mode);
      fs.mkdirSync(path.dirname(planFile), { recursive: true });
      fs.writeFileSync(planFile, JSON.stringify({ mode, doc }));
      const summary = summarizePlan(doc);
      return Promise.resolve({ planFile, hasChanges: summary.hasChanges, resourceChanges: summary.resources.length });
    };
    const showPlan: TofuOperations['showPlan'] = (_run, planFile) =>
      Promise.resolve((JSON.parse(fs.readFileSync(planFile, 'utf8')) as { doc: unknown }).doc);
    return {
      writeWorkspace: (run, terraformJson) => {
        this.configs.set(this.key(run), terraformJson);
      },
      ensureInit: (run) => {
        this.calls.push(`init ${this.key(run)}`);
        return Promise.resolve('ran' as const);
      },
      readState: (run) => Promise.resolve(this.snapshot(run)),
      planOnly,
      showPlan,
      planToFile: async (run, planFile, mode) => {
        await planOnly(run, planFile, mode);
        const show = await showPlan(run, planFile);
        return { planFile, summary: summarizePlan(show), show };
      },
      applyPlanFile: async (run, planFile, total, _locate, onUnfinishedCreates) => {
        const { mode, doc } = JSON.parse(fs.readFileSync(planFile, 'utf8')) as {
          mode: PlanMode;
          doc: { resource_changes: Array<{ address: string; change: { actions: string[]; after: Body | null } }> };
        };
        this.calls.push(`apply ${this.key(run)} ${mode}`);
        const state = this.states.get(this.key(run)) ?? { serial: 0, resources: new Map<string, Body>(), outputs: {} };
        const applied: AppliedResource[] = [];
        const stop = this.stopNextApply;
        this.stopNextApply = undefined;
        run.progress({ kind: 'counter', done: 0, total, label: this.key(run) });
        for (const rc of doc.resource_changes) {
          const action = rc.change.actions[0] ?? 'no-op';
          if (action === 'no-op') continue;
          run.progress({ kind: 'resource', address: `${this.key(run)} ${rc.address}`, action, status: 'start' });
          if (stop?.unfinishedCreates.includes(rc.address) === true) continue;
          if (rc.change.after === null) state.resources.delete(rc.address);
          else state.resources.set(rc.address, rc.change.after);
          applied.push({ address: rc.address, action, elapsedSeconds: 0, ok: true });
          run.progress({ kind: 'resource', address: `${this.key(run)} ${rc.address}`, action, status: 'done' });
        }
        state.serial += 1;
        const config = this.configs.get(this.key(run)) as { output?: Record<string, { value: unknown }> } | undefined;
        state.outputs =
          state.resources.size === 0 || mode === 'destroy'
            ? {}
            : Object.fromEntries(
                Object.entries(config?.output ?? {}).map(([k, o]) => [
                  k,
                  { sensitive: k.endsWith('_secret'), value: o.value },
                ]),
              );
        this.states.set(this.key(run), state);
        if (stop !== undefined) {
          await onUnfinishedCreates?.(stop.unfinishedCreates);
          throw new StormError('interrupted', `${this.key(run)}: apply interrupted`);
        }
        return { applied, durationMs: 1 };
      },
      adoptInterruptedCreates: (_run, _credentials: CloudCredentials, _terraformJson, unfinished) => {
        this.adoptions.push([...unfinished]);
        return Promise.resolve(unfinished.map((address) => ({ address, id: `adopted-${address}` })));
      },
    };
  }
}

/** A small configuration of a resolved city: its network, one server per compute group, two outputs. */
export function fakeSynth(city: ResolvedCity): unknown {
  const prefix = `${city.city.name}-${city.env}`;
  return {
    resource: {
      openstack_networking_network_v2: { network: { name: `${prefix}-net` } },
      openstack_compute_instance_v2: Object.fromEntries(
        city.compute.groups.map((g) => [g.name, { name: `${prefix}-${g.name}`, flavor_name: g.flavor }]),
      ),
    },
    output: { network_name: { value: `${prefix}-net` }, admin_secret: { value: 'not-for-reports' } },
  };
}

/** A project with the repository's city manifests and a clouds.yaml naming their cloud (never contacted). */
export function fakeProject(
  root: string,
  dir: string,
  edit: (city: string, text: string) => string = (_c, t) => t,
): void {
  fs.mkdirSync(path.join(dir, 'stacks'), { recursive: true });
  for (const file of fs.readdirSync(path.join(root, 'stacks'))) {
    const city = path.basename(file, '.yaml');
    fs.writeFileSync(
      path.join(dir, 'stacks', file),
      edit(city, fs.readFileSync(path.join(root, 'stacks', file), 'utf8')),
    );
  }
  fs.symlinkSync(path.join(root, 'templates'), path.join(dir, 'templates'));
  fs.writeFileSync(
    path.join(dir, 'clouds.yaml'),
    [
      'clouds:',
      '  sandbox:',
      '    region_name: RegionOne',
      '    auth:',
      '      auth_url: http://127.0.0.1:9/v3',
      '      username: tester',
      '      password: not-a-secret',
      '      project_name: demo',
      '      user_domain_name: Default',
      '      project_domain_name: Default',
      '',
    ].join('\n'),
  );
}

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { envName, parseCommandLine, type OptionsSpec } from '@stackwatch/config';
import { startApp, startClickHouse, startFaultFixtures, waitFor, type AppProcess, type FixtureInstance } from '@stackwatch/testing';
import { DockerfileParser } from 'dockerfile-ast';
import { parse as parseYaml, parseAllDocuments } from 'yaml';
import { agentOptions } from '../../../apps/agent/src/agent-config';
import { aggregatorOptions } from '../../../apps/aggregator/src/config/aggregator-config';
import { ClickHouseStore } from '../../../apps/aggregator/src/store/clickhouse-store';

/**
 * Everything under deploy/ is checked here, without a Docker engine or a cluster: every file
 * parses; Kubernetes objects validate against the API schema; kustomizations point at files that
 * exist; Dockerfiles, compose and manifests start the executables with flags and env vars the
 * apps accept and ports they listen on by default; alert rules and dashboard queries are valid
 * PromQL naming metrics that a live agent and aggregator really export.
 */
// Prometheus's own PromQL grammar. An ES module with a CommonJS build whose types are ESM-only.
interface PromqlTree {
  iterate(spec: { enter(node: { type: { isError: boolean }; from: number }): void }): void;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { parser: promqlParser } = require('@prometheus-io/lezer-promql') as { parser: { parse(text: string): PromqlTree } };

const REPO = join(__dirname, '..', '..', '..');
const DEPLOY = join(REPO, 'deploy');

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}
const files = walk(DEPLOY);
const yamlFiles = files.filter((f) => /\.ya?ml$/.test(f));
const k8sFiles = yamlFiles.filter((f) => f.includes(`${join('deploy', 'k8s')}`));
const docs = (file: string): Record<string, unknown>[] => parseAllDocuments(readFileSync(file, 'utf8')).map((d) => d.toJS() as Record<string, unknown>);

/** The parts of Kubernetes objects these tests read (the schema check covers the rest). */
interface Container {
  name: string;
  args: string[];
  env: { name: string; valueFrom?: { fieldRef?: { fieldPath: string } } }[];
  ports?: { name: string; containerPort: number }[];
  readinessProbe?: { httpGet: unknown };
  livenessProbe?: { httpGet: unknown };
  resources?: { requests?: unknown };
  securityContext: { capabilities: { drop?: string[]; add?: string[] } };
}
interface PodSpec {
  containers: Container[];
  shareProcessNamespace?: boolean;
  hostPID?: boolean;
  securityContext?: { runAsNonRoot?: boolean };
}
interface K8sObject {
  kind: string;
  metadata?: { name?: string };
  spec: { replicas?: number; selector?: unknown; template: { spec: PodSpec }; ports: { name: string; port: number }[] };
}
interface Compose {
  services: Record<string, { build: { context: string; dockerfile: string }; command: string[]; environment?: Record<string, string>; volumes: string[] }>;
}

const k8sObjects: { file: string; object: K8sObject }[] = k8sFiles.flatMap((file) => docs(file).map((object) => ({ file, object: object as unknown as K8sObject })));
const find = (kind: string, name: string): K8sObject => {
  const found = k8sObjects.find((o) => o.object.kind === kind && o.object.metadata?.name === name);
  if (!found) throw new Error(`no ${kind} ${name} under deploy/k8s`);
  return found.object;
};

const APPS: Record<string, { spec: OptionsSpec; bin: string; ports: number[] }> = {
  'stackwatch-aggregator': { spec: aggregatorOptions, bin: 'bin/stackwatch-aggregator', ports: [7171, 7172] },
  'stackwatch-agent': { spec: agentOptions, bin: 'bin/stackwatch-agent', ports: [7173] },
};

/** Parses a command line with the app's own parser: unknown flags, bad values and bad env vars throw. */
function expectValidCommandLine(app: string, args: readonly string[], env: Record<string, string> = {}): void {
  const { spec } = APPS[app];
  // Kubernetes substitutes $(VAR) in args from the container's env.
  const concrete = args.map((a) => a.replace(/\$\(([A-Z_]+)\)/g, 'value'));
  const known = new Set(Object.keys(spec).map(envName));
  for (const name of Object.keys(env).filter((n) => n.startsWith('STACKWATCH_'))) expect({ app, env: name, known: known.has(name) }).toEqual({ app, env: name, known: true });
  const ownEnv = Object.fromEntries(Object.entries(env).filter(([n]) => known.has(n)));
  expect(() => parseCommandLine({ name: app, summary: '', version: '0' }, spec, concrete, ownEnv)).not.toThrow();
}

/** A container's env vars with a stand-in value (secrets and downward API are resolved by the cluster). */
const envOf = (container: Container): Record<string, string> => Object.fromEntries(container.env.map((e) => [e.name, 'value']));

describe('deploy/', () => {
  it('every YAML and JSON file parses', () => {
    expect(yamlFiles.length).toBeGreaterThan(10);
    for (const file of yamlFiles) {
      for (const doc of parseAllDocuments(readFileSync(file, 'utf8'))) expect({ file: relative(REPO, file), errors: doc.errors.map((e) => e.message) }).toEqual({ file: relative(REPO, file), errors: [] });
    }
    for (const file of files.filter((f) => f.endsWith('.json'))) expect(() => JSON.parse(readFileSync(file, 'utf8')) as unknown).not.toThrow();
  });

  it('every Kubernetes object validates against the Kubernetes API schema', () => {
    const run = spawnSync(process.execPath, [join(__dirname, 'validate-k8s.mjs'), ...k8sFiles], { cwd: REPO, encoding: 'utf8' });
    expect(run.stderr).toBe('');
    const results = JSON.parse(run.stdout) as { file: string; kind: string; name: string; error?: string }[];
    expect(results.filter((r) => r.error)).toEqual([]);
    expect(results.map((r) => r.kind).sort()).toEqual(['DaemonSet', 'Deployment', 'Deployment', 'Namespace', 'PodDisruptionBudget', 'Secret', 'Service']);
  });

  it('kustomizations list files that exist, and each overlay builds on the base', () => {
    const kustomizations = k8sFiles.filter((f) => f.endsWith('kustomization.yaml'));
    expect(kustomizations.map((f) => relative(DEPLOY, f)).sort()).toEqual(['k8s/base/kustomization.yaml', 'k8s/overlays/daemonset/kustomization.yaml', 'k8s/overlays/sidecar-example/kustomization.yaml']);
    for (const file of kustomizations) {
      const k = parseYaml(readFileSync(file, 'utf8')) as { resources: string[] };
      for (const resource of k.resources) expect({ file: relative(REPO, file), resource, exists: existsSync(join(dirname(file), resource)) }).toEqual({ file: relative(REPO, file), resource, exists: true });
      if (file.includes('overlays')) expect(k.resources).toContain('../../base');
    }
  });

  it('the aggregator runs as a highly available Deployment: ≥ 2 replicas, probes, resources, a PDB, gRPC and HTTP Services', () => {
    const deployment = find('Deployment', 'stackwatch-aggregator');
    expect(deployment.spec.replicas).toBeGreaterThanOrEqual(2);
    const [container] = deployment.spec.template.spec.containers;
    expect(container.readinessProbe?.httpGet).toEqual({ path: '/readyz', port: 'http' });
    expect(container.livenessProbe?.httpGet).toEqual({ path: '/healthz', port: 'http' });
    expect(container.resources?.requests).toBeDefined();
    expect(container.securityContext.capabilities.drop).toEqual(['ALL']);
    expect(deployment.spec.template.spec.securityContext?.runAsNonRoot).toBe(true);
    expect(container.ports).toEqual([{ name: 'grpc', containerPort: 7171 }, { name: 'http', containerPort: 7172 }]);
    expect(find('PodDisruptionBudget', 'stackwatch-aggregator').spec.selector).toEqual(deployment.spec.selector);
    expect(find('Service', 'stackwatch-aggregator').spec.ports.map((p) => [p.name, p.port])).toEqual([['grpc', 7171], ['http', 7172]]);
    expectValidCommandLine('stackwatch-aggregator', container.args, envOf(container));
  });

  it('the agent as a sidecar shares the process namespace and needs no capability; as a DaemonSet it sees the node', () => {
    const app = find('Deployment', 'demo-shop').spec.template.spec;
    expect(app.shareProcessNamespace).toBe(true);
    const sidecar = app.containers.find((c) => c.name === 'stackwatch-agent')!;
    expect(sidecar.securityContext.capabilities).toEqual({ drop: ['ALL'] });
    expect(sidecar.args).toContain('--target=http://127.0.0.1:6060');
    expectValidCommandLine('stackwatch-agent', sidecar.args, envOf(sidecar));
    // The instance is the pod's name, from the downward API.
    expect(sidecar.env.find((e) => e.name === 'STACKWATCH_INSTANCE')?.valueFrom?.fieldRef?.fieldPath).toBe('metadata.name');

    const daemonset = find('DaemonSet', 'stackwatch-agent').spec.template.spec;
    expect(daemonset.hostPID).toBe(true);
    const [agent] = daemonset.containers;
    expect(agent.args).toContain('--discover');
    expect([...(agent.securityContext.capabilities.add ?? [])].sort()).toEqual(['DAC_READ_SEARCH', 'SYS_PTRACE']);
    expectValidCommandLine('stackwatch-agent', agent.args, envOf(agent));
    // Nothing reads the Kubernetes API: no RBAC object, no service account token needed.
    expect(k8sObjects.filter((o) => /Role|ServiceAccount/.test(String(o.object.kind)))).toEqual([]);
  });

  it('Dockerfiles: multi-stage, non-root, health-checked, entry points and ports as the apps define them', () => {
    for (const [file, app] of [['Dockerfile.aggregator', 'stackwatch-aggregator'], ['Dockerfile.agent', 'stackwatch-agent']] as const) {
      const dockerfile = DockerfileParser.parse(readFileSync(join(DEPLOY, 'docker', file), 'utf8'));
      const instructions = dockerfile.getInstructions();
      const of = (keyword: string) => instructions.filter((i) => i.getKeyword() === keyword);
      expect(dockerfile.getFROMs().length).toBeGreaterThanOrEqual(2);
      const runtime = instructions.slice(instructions.indexOf(dockerfile.getFROMs().at(-1)!));
      expect(runtime.find((i) => i.getKeyword() === 'USER')?.getArgumentsContent()).toBe('node');
      const entrypoint = JSON.parse(of('ENTRYPOINT')[0].getArgumentsContent()!) as string[];
      expect(entrypoint).toEqual([`/app/${APPS[app].bin}`]);
      expect(existsSync(join(REPO, APPS[app].bin))).toBe(true);
      const exposed = of('EXPOSE').flatMap((i) => i.getArguments().map((a) => Number(a.getValue())));
      expect(exposed).toEqual(APPS[app].ports);
      const cmd = JSON.parse(of('CMD')[0].getArgumentsContent()!) as string[];
      expectValidCommandLine(app, cmd);
      // The health check asks the port the app serves /healthz on.
      const http = app === 'stackwatch-aggregator' ? 7172 : 7173;
      expect(of('HEALTHCHECK')[0].getArgumentsContent()).toContain(`http://127.0.0.1:${http}/healthz`);
      expect(cmd.join(' ')).toContain(`0.0.0.0:${http}`);
    }
  });

  it('compose starts the executables with flags and env vars they accept', () => {
    const compose = parseYaml(readFileSync(join(DEPLOY, 'docker', 'compose.yaml'), 'utf8')) as Compose;
    for (const [service, app] of [['aggregator', 'stackwatch-aggregator'], ['agent', 'stackwatch-agent']] as const) {
      const definition = compose.services[service];
      expect(existsSync(join(DEPLOY, 'docker', definition.build.context, definition.build.dockerfile))).toBe(true);
      expectValidCommandLine(app, definition.command, definition.environment ?? {});
    }
    for (const volume of compose.services.prometheus.volumes) expect(existsSync(join(DEPLOY, 'docker', volume.split(':')[0]))).toBe(true);
  });

  describe('queries: alert rules, the dashboard, the ClickHouse examples', () => {
    const dir = mkdtempSync(join(tmpdir(), 'stackwatch-deploy-metrics-'));
    let aggregator: AppProcess;
    let agent: AppProcess;
    let fixture: FixtureInstance;
    const exported = new Set<string>();

    beforeAll(async () => {
      aggregator = await startApp('stackwatch-aggregator', ['--grpc-listen', '127.0.0.1:0', '--http-listen', '127.0.0.1:0', '--store', `duckdb:${join(dir, 'store.duckdb')}`], /HTTP on (http:\/\/\S+)/);
      [fixture] = await startFaultFixtures({ count: 1 });
      const grpc = /gRPC on (\S+)/.exec(aggregator.logs())![1];
      agent = await startApp('stackwatch-agent', ['--aggregator', grpc, '--target', fixture.url, '--spool-dir', join(dir, 'spool'), '--metrics-listen', '127.0.0.1:0', '--interval', '500ms'], /metrics on (http:\/\/\S+)\/metrics/);
      await waitFor('a sample', async () => /^stackwatch_samples_total\{[^}]*\} [1-9]/m.test(await (await fetch(`${agent.ready[1]}/metrics`)).text()), { timeoutMs: 30_000, intervalMs: 250 });
      for (const url of [`${aggregator.ready[1]}/metrics`, `${agent.ready[1]}/metrics`]) {
        for (const match of (await (await fetch(url)).text()).matchAll(/^# TYPE (\S+) (\w+)$/gm)) {
          exported.add(match[1]);
          if (match[2] === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) exported.add(match[1] + suffix);
        }
      }
    }, 120_000);

    afterAll(async () => {
      await agent?.stop();
      await aggregator?.stop();
      await fixture?.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    function expectPromQl(where: string, expr: string): void {
      // Grafana's own variables are not PromQL: give them a value first.
      const promql = expr.replace(/\$__rate_interval|\$__interval/g, '5m');
      let error: string | undefined;
      promqlParser.parse(promql).iterate({ enter: (node) => void (node.type.isError ? (error ??= `syntax error at ${node.from}`) : undefined) });
      expect({ where, expr, error }).toEqual({ where, expr, error: undefined });
      for (const name of promql.match(/\bstackwatch_[a-z0-9_]+/g) ?? []) expect({ where, metric: name, exported: exported.has(name) }).toEqual({ where, metric: name, exported: true });
    }

    it('alert rules parse and name exported metrics', () => {
      const rules = parseYaml(readFileSync(join(DEPLOY, 'prometheus', 'alerts.yml'), 'utf8')) as { groups: { rules: { alert: string; expr: string }[] }[] };
      const all = rules.groups.flatMap((g) => g.rules);
      expect(all.map((r) => r.alert)).toEqual(expect.arrayContaining(['StackwatchRuleTriggered', 'StackwatchSpoolDropping', 'StackwatchAggregatorNotReady', 'StackwatchIngestRejecting']));
      for (const rule of all) expectPromQl(rule.alert, rule.expr);
    });

    it('the example ClickHouse queries of docs/deploy.md run on ClickHouse, with the Grafana macros filled in', async () => {
      const clickhouse = await startClickHouse();
      try {
        const store = new ClickHouseStore({ url: clickhouse.url, database: 'stackwatch' });
        await store.init();
        await store.close();
        const doc = readFileSync(join(REPO, 'docs', 'deploy.md'), 'utf8');
        const sql = /```sql\n([\s\S]*?)```/.exec(doc)![1];
        const queries = sql.split(/\n\s*\n/).map((q) => q.replace(/^--.*$/gm, '').trim()).filter(Boolean);
        expect(queries).toHaveLength(3);
        for (const query of queries) {
          const concrete = query
            .replace(/\$__timeInterval\((\w+)\)/g, 'toStartOfMinute($1)')
            .replace(/\$__timeFilter\((\w+)\)/g, '$1 >= now() - 3600')
            .replace(/\$__fromTime/g, '(now() - 3600)')
            .replace(/\$__toTime/g, 'now()');
          await expect(clickhouse.query(concrete)).resolves.toBeDefined();
        }
      } finally {
        await clickhouse.stop();
      }
    }, 60_000);

    it('the Grafana dashboard queries parse and name exported metrics', () => {
      const dashboard = JSON.parse(readFileSync(join(DEPLOY, 'grafana', 'dashboards', 'stackwatch.json'), 'utf8')) as { panels: { title: string; targets?: { expr: string }[] }[] };
      const targets = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => [p.title, t.expr] as const));
      expect(targets.length).toBeGreaterThan(10);
      for (const [title, expr] of targets) expectPromQl(title, expr);
    });
  });
});

/** The parts of the REST API's answers (docs/api.md) the e2e suite reads. */
export interface EventView {
  readonly id: string;
  readonly timeMs: number;
  readonly service: string;
  readonly instance: string;
  readonly kind: string;
  readonly value: number;
  readonly threshold: number;
  readonly reason: string;
  readonly profiles: readonly { readonly id: string; readonly type: string | null }[];
  readonly findings: readonly { readonly kind: string; readonly stacks: readonly { readonly frames: readonly string[]; readonly count: number }[] }[];
}

export interface ProfileView {
  readonly id: string;
  readonly instance: string;
  readonly type: string;
  readonly timeMs: number;
  readonly sampleTypes: readonly { readonly type: string; readonly unit: string }[];
  readonly trigger: { readonly kind: string };
}

export interface HotspotsView {
  readonly total: number;
  readonly profiles: number;
  readonly instances: number;
  readonly unit: string;
  readonly functions: readonly { readonly function: string; readonly self: number; readonly total: number }[];
}

export interface DiffView {
  readonly functions: readonly { readonly function: string; readonly delta: number; readonly self: { readonly delta: number } }[];
}

export interface InstanceView {
  readonly instance: string;
  readonly latestMetrics: Record<string, number>;
  readonly state: string | null;
}

export interface FunctionInstanceView {
  readonly instance: string;
  readonly value: number;
}

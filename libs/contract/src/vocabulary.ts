/** Profile types an agent may send; the names of Go's /debug/pprof/ endpoints, plus "cpu". */
export const PROFILE_TYPES = ['cpu', 'heap', 'allocs', 'goroutine', 'mutex', 'block', 'threadcreate', 'goroutineleak'] as const;
export type ProfileType = (typeof PROFILE_TYPES)[number];

/** Detection rules of the agent; each names the event kind it emits. */
export const RULE_NAMES = ['cpu', 'memory', 'gc_heap', 'goroutines', 'threads'] as const;
export type RuleName = (typeof RULE_NAMES)[number];

/** Event kinds: a rule firing, or an analysis that found a problem by itself. */
export const EVENT_KINDS = [...RULE_NAMES, 'deadlock', 'goroutine_leak'] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

/** Kinds of findings attached to events by the agent's analysis stage. */
export const FINDING_KINDS = ['goroutine_leak', 'deadlock', 'thread_block'] as const;
export type FindingKind = (typeof FINDING_KINDS)[number];

export function isProfileType(value: string): value is ProfileType {
  return (PROFILE_TYPES as readonly string[]).includes(value);
}

export function isEventKind(value: string): value is EventKind {
  return (EVENT_KINDS as readonly string[]).includes(value);
}

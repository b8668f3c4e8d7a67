/**
 * Go 1.26+'s own leak detector: `/debug/pprof/goroutineleak` (GOEXPERIMENT=goroutineleakprofile
 * in 1.26, on by default in 1.27) runs a GC that finds goroutines blocked on concurrency
 * primitives nothing reachable can ever unblock. Every stack it lists is a leak: no growth needed.
 */
import { culpritFrame, withoutRuntimeFrames } from './go-functions';
import { parseGoroutineDumpDebug2, parseGoroutineProfileDebug1 } from './goroutine-dump';
import { analysedStack, plural, type AnalysisFinding } from './finding';
import { groupGoroutines, groupProfile, type StackGroup } from './group';

/** debug=2 marks the leaked goroutines' state: `[chan receive (leaked)]`. */
const LEAKED_STATE = /\(leaked\)/;

/**
 * A `goroutine_leak` finding from the text of `goroutineleak?debug=1` (every stack listed leaked)
 * or `goroutineleak?debug=2` (every goroutine, the leaked ones marked `(leaked)`); undefined when
 * nothing leaked.
 */
export function findingFromGoroutineLeakProfile(text: string): AnalysisFinding | undefined {
  const groups = /^\s*goroutine \d+/.test(text)
    ? groupGoroutines(parseGoroutineDumpDebug2(text).goroutines.filter((g) => LEAKED_STATE.test(g.state)))
    : groupProfile(parseGoroutineProfileDebug1(text));
  const leaked = groups.filter((g) => g.count > 0);
  if (leaked.length === 0) return undefined;

  const stacks = leaked.map((g) => analysedStack({ ...g, frames: withoutRuntimeFrames(g.frames), state: leakedState(g) }));
  const total = leaked.reduce((sum, g) => sum + g.count, 0);
  const named = stacks.map((s) => `${culpritFrame(s.frames) ?? '?'} (${s.state}, ${s.count})`);
  return {
    kind: 'goroutine_leak',
    summary: `Go's goroutineleak profile reports ${plural(total, 'leaked goroutine')} in ${plural(leaked.length, 'stack')}: ${named.join(', ')}`,
    stacks,
  };
}

/** debug=2 already says `(leaked)`; a state inferred from debug=1 frames gets the mark added. */
function leakedState(group: StackGroup): string {
  return LEAKED_STATE.test(group.state) ? group.state : `${group.state} (leaked)`;
}

import { isCgoGlue, isRuntimeFunction, isStdlibFunction, isUserFunction, packagePath } from '@stackwatch/pprof';

/** Go function-name helpers live in @stackwatch/pprof (the aggregator uses them too). */
export { isCgoGlue, isRuntimeFunction, isStdlibFunction, isUserFunction, packagePath };

/**
 * The frame that names a stack for a human: walking from the leaf towards the root, the first
 * frame `skip` does not reject; the leaf itself when every frame is rejected.
 * `frames` is root-first.
 */
export function leafMostFrame(frames: readonly string[], skip: (fn: string) => boolean): string | undefined {
  for (let i = frames.length - 1; i >= 0; i--) {
    if (!skip(frames[i])) return frames[i];
  }
  return frames[frames.length - 1];
}

/** The leaf-most frame written by the service itself, else the leaf-most non-runtime frame. */
export function culpritFrame(frames: readonly string[]): string | undefined {
  return leafMostUser(frames) ?? leafMostFrame(frames, isRuntimeFunction);
}

function leafMostUser(frames: readonly string[]): string | undefined {
  for (let i = frames.length - 1; i >= 0; i--) {
    if (isUserFunction(frames[i])) return frames[i];
  }
  return undefined;
}

/** Frames with the runtime's own removed: debug=1 and debug=2 hide different runtime frames. */
export function withoutRuntimeFrames(frames: readonly string[]): string[] {
  return frames.filter((fn) => !isRuntimeFunction(fn));
}

// The sample stage: cheap readings of each target every interval.
export { TargetSampler, TargetUnavailableError, type TargetSamplerOptions } from './target-sampler';
export { readEffectiveLimits, type EffectiveLimits } from './limits';
export { parsePprofIndex, PprofIndexError, type PprofIndex } from './pprof-index';

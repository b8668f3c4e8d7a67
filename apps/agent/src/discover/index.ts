// The discover stage: which local Go processes to watch, and who they are.
export { Discoverer, type DiscovererOptions, type DiscoveryListener } from './discoverer';
export { matchesEnv, parseEnvSelector, type EnvSelector } from './env-selector';
export { resolveStaticTarget, resolveStaticTargets, portOwnerResolver, StaticTargetError, type StaticTargetOptions } from './static-targets';
export { resolveIdentity, type IdentityOptions } from './process-info';
export { readGoBuildInfo, readGoBuildInfoOfPid, type GoBuildInfo } from './go-buildinfo';
export { findPortOwners } from './socket-owner';

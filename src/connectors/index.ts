/**
 * The core's public API for connectors: everything a platform folder under connectors/ may import from src/
 * (a lint rule holds it). A platform registers itself here with `registerPlatform`.
 */
export type { EntityName } from '../canonical/entities';
export { errorMessage, isOutcomeUnknown, SwitchyardError } from '../common/errors';
export type { ErrorCode } from '../common/errors';
export { sameFile } from '../common/file-name';
export { packageRoot } from '../common/package-root';
export { withRetry } from '../common/retry';
export { scalarText } from '../common/text';
export { parseUtc } from '../common/time';
export type { RecordRefs } from '../ledger/ledger.entities';
export { listen, sandboxApp, type SandboxCounters } from '../sandbox/http-sandbox';
export { getRemoteFile } from '../sandbox/remote-file';
export { serveImage, startFileHost } from '../sandbox/file-host';
export * from './connector.port';
export {
  type ConnectorOptions,
  type PlatformModule,
  registerPlatform,
  type RunningSandbox,
  type SandboxOptions,
} from './connector.registry';
export * from './kit';
export { defaultTokenVault } from '../ledger/token-vault';

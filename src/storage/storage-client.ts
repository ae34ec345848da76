import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { S3Client } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { OutboundGuard } from '../lib/outbound-guard.js';
import { endpointOf } from './endpoint.js';
import type { StorageProfileRow } from './storage.table.js';

export interface StorageCredentials {
  accessKeyId: string;
  secretAccessKey: string;
}


/**
 * An S3 client for a profile whose every connection goes through the outbound guard: the endpoint
 * is checked first (literal addresses, metadata names), and the sockets resolve host names with the
 * guard's lookup (refused addresses fail, the checked address is the one connected: DNS pinned).
 * COS is virtual-hosted (bucket.cos.<region>.myqcloud.com). Checksums only when the API requires
 * them (COS does not speak the newer CRC headers).
 */
export function createStorageClient(profile: StorageProfileRow, credentials: StorageCredentials, guard: Pick<OutboundGuard, 'assertUrl' | 'lookup'>): { client: S3Client; close(): void } {
  quietSdkNodeWarning();
  const endpoint = endpointOf(profile);
  guard.assertUrl(endpoint, ['http:', 'https:']);
  const agentOptions = { keepAlive: true, maxSockets: 64, lookup: guard.lookup };
  const httpAgent = new HttpAgent(agentOptions);
  const httpsAgent = new HttpsAgent(agentOptions);
  const client = new S3Client({
    region: profile.region,
    endpoint,
    forcePathStyle: profile.provider === 's3' && profile.path_style === 1,
    credentials,
    maxAttempts: 2,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    requestHandler: new NodeHttpHandler({ httpAgent, httpsAgent, connectionTimeout: profile.timeout_ms, requestTimeout: profile.timeout_ms, throwOnRequestTimeout: true }),
  });
  return {
    client,
    close() {
      client.destroy();
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };
}

/**
 * The SDK prints a multi-line NodeVersionSupportWarning on Node 20 at each process's first client: it is
 * about SDK releases after January 2027, not the pinned one (which supports Node 20), and is noise on
 * every `mcps storage` command. An operator who sets the variable keeps their choice.
 */
function quietSdkNodeWarning(): void {
  process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';
}

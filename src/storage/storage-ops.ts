/**
 * Everything that needs the AWS SDK, loaded by the storage service on first use (the SDK is large:
 * CLI commands and a platform that never touches a bucket do not pay for loading it).
 */
export { HeadObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
export { runDownloads } from './download-run.js';
export { listObjects } from './list-objects.js';
export { createStorageClient } from './storage-client.js';

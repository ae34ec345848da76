import type { AnalyzerService } from '../../analyzer/analyzer.service.js';
import type { ServersService } from '../../servers/servers.service.js';
import type { StorageService } from '../../storage/storage.service.js';
import { callToolOperation } from './call-tool.js';
import { downloadAnalyzeOperation } from './download-analyze.js';
import type { Operation } from './operation.js';

export type OperationRegistry = ReadonlyMap<string, Operation>;

/** The operations a batch can run, by name. A new operation is one file and one line here. */
export function builtinOperations(deps: { storage: StorageService; analyzer: AnalyzerService; servers: Pick<ServersService, 'callTool' | 'nameOf'> }): OperationRegistry {
  const ops: Operation[] = [downloadAnalyzeOperation(deps), callToolOperation(deps)];
  return new Map(ops.map((o) => [o.name, o]));
}

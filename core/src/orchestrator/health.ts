import { SDK_CONTRACT_VERSION } from '@forge-core/sdk';

export interface Health {
  status: 'ok';
  contractVersion: string;
  nodeId: string;
  uptimeSeconds: number;
  runningAttempts: number;
}

/** Liveness and a few numbers about this server. */
export function healthOf(nodeId: string, startedAt: number, runningAttempts: number): Health {
  return {
    status: 'ok',
    contractVersion: SDK_CONTRACT_VERSION,
    nodeId,
    uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
    runningAttempts,
  };
}

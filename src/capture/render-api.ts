import { AppError } from '../http/app-error.js';
import type { OutboundGuard } from '../lib/outbound-guard.js';

/**
 * An image from the Grafana image renderer (`/render/d/<uid>?...`, `/render/d-solo/<uid>?panelId=`),
 * fetched through the outbound guard (its checks, DNS pinned, redirects refused). The renderer answers
 * a PNG; anything else is a bad_gateway naming what came back.
 */
export async function fetchRendered(guard: Pick<OutboundGuard, 'fetch'>, url: URL, headers: Record<string, string>, timeoutMs: number): Promise<Buffer> {
  let res: Response;
  try {
    res = await guard.fetch(url, { headers, signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    if (err instanceof AppError) throw err;
    if ((err as Error).name === 'TimeoutError') throw new AppError('gateway_timeout', `${url.host}: the render API did not answer in ${Math.round(timeoutMs / 1000)} s`);
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    throw new AppError('bad_gateway', `${url.host}: the render API could not be reached (${cause?.code ?? cause?.message ?? (err as Error).message})`);
  }
  const type = res.headers.get('content-type') ?? '';
  if (!res.ok) {
    const text = (await res.text().catch(() => '')).slice(0, 200).replace(/\s+/g, ' ');
    throw new AppError('bad_gateway', `${url.host}: the render API answered HTTP ${res.status}${text ? `: ${text}` : ''}`);
  }
  if (!type.startsWith('image/png')) throw new AppError('bad_gateway', `${url.host}: the render API answered ${type || 'no content type'}, not a PNG (is the image renderer installed?)`);
  return Buffer.from(await res.arrayBuffer());
}

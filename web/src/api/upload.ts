import { API_PREFIX, ApiError, currentCsrfToken, parse } from './client';

/**
 * POSTs a file as the raw request body and reports the upload's progress (fetch cannot: hence
 * XMLHttpRequest). Resolves with the JSON answer; rejects with ApiError carrying the problem+json
 * `detail`, like `api()`.
 */
export function uploadFile<T>(path: string, file: Blob, opts: { contentType: string; onProgress?: (fraction: number) => void }): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `${API_PREFIX}${path}`);
    xhr.withCredentials = true;
    xhr.setRequestHeader('content-type', opts.contentType);
    xhr.setRequestHeader('accept', 'application/json');
    const csrf = currentCsrfToken();
    if (csrf) xhr.setRequestHeader('x-csrf-token', csrf);
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable && e.total > 0) opts.onProgress?.(e.loaded / e.total);
    };
    xhr.onerror = () => reject(new ApiError(0, 'network', 'network'));
    xhr.onload = () => {
      const json = parse(xhr.responseText);
      if (xhr.status >= 200 && xhr.status < 300) return resolve(json as T);
      const detail = typeof json?.detail === 'string' ? json.detail : `${xhr.status} ${xhr.statusText}`;
      const code = typeof json?.code === 'string' ? json.code : String(xhr.status);
      reject(new ApiError(xhr.status, code, detail));
    };
    xhr.send(file);
  });
}

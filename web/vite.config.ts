import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// Built into dist/web, which the platform serves at `/` (src/console/console.routes.ts).
// `npx vite web` serves it on :5173 with the API proxied to a platform on :8000.
export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  build: { outDir: '../dist/web', emptyOutDir: true, target: 'es2022', reportCompressedSize: true },
  server: {
    proxy: Object.fromEntries(['/api', '/health', '/docs', '/openapi.json'].map((p) => [p, 'http://127.0.0.1:8000'])),
  },
});

import { defineConfig } from 'vite';

// A static single-page app: everything it needs is bundled into dist/, so it runs with no
// network beyond the Concord node and providers it talks to.
export default defineConfig({
  base: './',
  build: { target: 'es2022', chunkSizeWarningLimit: 4096 },
});

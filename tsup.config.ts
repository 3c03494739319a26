import { defineConfig } from 'tsup';

export default defineConfig([
  {
    // The library: its dependencies stay imports, so users share one copy of each.
    entry: { index: 'src/index.ts', testing: 'src/testing.ts' },
    format: ['esm', 'cjs'],
    dts: { entry: { index: 'src/index.ts', testing: 'src/testing.ts' } },
    sourcemap: true,
    // Everything but the CLI's files, which the second build (run at the same time) writes.
    clean: ['**/*', '!cli.js', '!cli.js.map'],
    target: 'node20',
    splitting: false,
  },
  {
    // The CLI: one self-contained file. Resolving and loading io-ts, fp-ts, saxes and xmlbuilder2
    // as separate CommonJS modules doubled `virtnet --help` here (~200 ms of Node's time against
    // ~100 ms bundled), and every command pays it.
    entry: { cli: 'src/cli/main.ts' },
    format: ['esm'],
    noExternal: [/.*/],
    platform: 'node',
    sourcemap: true,
    target: 'node20',
    splitting: false,
  },
]);

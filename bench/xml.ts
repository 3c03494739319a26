// `npx tsx bench/xml.ts`: the XML benchmark (bench/xml.mjs) straight from src/, without a build.
(globalThis as { __virtnetBenchFromSrc?: boolean }).__virtnetBenchFromSrc = true;
// @ts-expect-error -- a plain JavaScript module without type declarations; run for its output only.
await import('./xml.mjs');

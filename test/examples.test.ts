// Runs the example unit test users copy (examples/testing/network.test.ts): importing it
// registers its describe/it blocks in this file, so the suite keeps the example working without
// widening vitest's `include`.
import '../examples/testing/network.test.js';

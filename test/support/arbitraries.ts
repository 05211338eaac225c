/** The event arbitraries the tests share with the fuzzer (src/fuzz/arbitraries.ts). */
export { anyEvent, EDGE_U64, eventArb, ID_POOL } from '../../src/fuzz/arbitraries.js';

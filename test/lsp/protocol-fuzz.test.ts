/**
 * Random protocol violations against the real server (test/helpers/protocol-fuzz.ts): after
 * each batch a normal document still gets its diagnostics and every request was answered.
 * `protocol-fuzz.slow.test.ts` sends many more.
 */
import { protocolFuzzSuite } from '../helpers/protocol-fuzz.js';

protocolFuzzSuite('random protocol violations', 3, 20);

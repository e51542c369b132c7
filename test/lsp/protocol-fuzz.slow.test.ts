/** The long run of test/lsp/protocol-fuzz.test.ts: forty batches of 25 random messages against one server. */
import { protocolFuzzSuite } from '../helpers/protocol-fuzz.js';

protocolFuzzSuite('random protocol violations (long run)', 40, 25);

/**
 * The long run of test/lsp/protocol-fuzz.test.ts: 100 batches of 25 random messages against
 * one server. State left by earlier batches matters here: batch 4 opens the untitled document
 * `untitled:x` as NAS, batch 33 reopens it under another language id, batch 44 opens and closes it,
 * each of which once wedged the server (test/lsp/untitled-documents.test.ts has the minimal
 * sequences).
 */
import { protocolFuzzSuite } from '../helpers/protocol-fuzz.js';

protocolFuzzSuite('random protocol violations (long run)', 100, 25);

import { describe, expect, it } from 'vitest';
import { handleRequest } from '../../src/harness/handleRequest.js';
import { HarnessOpError } from '../../src/harness/harnessOpError.js';

// The harness answers an op's error as `{code, message}` (spec/v1/conformance.md#harness-protocol rule 3):
// the registered code and the first line of the error's message, never its Code / Spec lines.
describe('HarnessOpError', () => {
  it('carries a registered code, the spec section and Code / Spec lines after the summary', () => {
    const error = new HarnessOpError('HARNESS_INTERNAL', 'the adapter did not catch up within 1000 scans', {
      op: 'adapterScan',
    });
    expect(error).toMatchObject({
      name: 'HarnessOpError',
      code: 'HARNESS_INTERNAL',
      section: 'conformance.md#harness-protocol',
      details: { op: 'adapterScan' },
    });
    expect(error.message.split('\n')).toEqual([
      'the adapter did not catch up within 1000 scans',
      'Code: HARNESS_INTERNAL',
      'Spec: spec/v1/conformance.md#harness-protocol',
    ]);
  });

  it('is answered with its code and the first line of its message', async () => {
    expect(
      await handleRequest(JSON.stringify({ id: 3, op: 'verify', wire: '{}', now: 0, config: 7 })),
    ).toEqual({
      id: 3,
      error: { code: 'HARNESS_BAD_REQUEST', message: '"config" must be an object' },
    });
    expect(await handleRequest(JSON.stringify({ id: 4, op: 'noSuchOp' }))).toEqual({
      id: 4,
      error: { code: 'HARNESS_UNSUPPORTED_OP', message: 'op "noSuchOp" is not implemented' },
    });
  });
});

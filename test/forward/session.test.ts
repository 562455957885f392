import { describe, expect, it } from 'vitest';
import { createSession, shortenOrtError } from '../../src/forward/session.js';
import { GraphBuilder } from '../../src/onnx/graph.js';

function identityModel(): Uint8Array {
  const g = new GraphBuilder('id');
  g.node('Relu', [g.input('x', ['N', 1, 2, 2])], ['y']);
  g.output('y');
  return g.toBytes();
}

describe('createSession', () => {
  it('EXPECTED FAILURE - --device cuda without onnxruntime CUDA binaries gives one clear line', async () => {
    // This machine's onnxruntime-node is the bundled CPU build; on a CUDA install the session opens.
    const attempt = createSession(identityModel(), { device: 'cuda', threads: 1 }).then(
      async (s) => {
        await s.release();
        return 'opened';
      },
      (err: Error) => err.message,
    );
    const outcome = await attempt;
    if (outcome !== 'opened') {
      expect(outcome).toMatch(/no usable CUDA provider.*drop --device cuda/);
      expect(outcome).not.toContain('\n');
    }
  });
  it('shortens onnxruntime messages to the part a researcher can act on', () => {
    const raw = '[ONNXRuntimeError] : 1 : FAIL : /onnxruntime_src/core/graph.cc:12 void onnxruntime::Graph::Resolve(int) Node (n) bad input\nstack';
    expect(shortenOrtError(new Error(raw))).toBe('Node (n) bad input');
  });
});

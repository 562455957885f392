import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type * as ort from 'onnxruntime-node';
import { sessionOptions, type RuntimeOptions } from './session.js';

/**
 * onnxruntime-node optimises a model while it creates the session, on the thread that asked, and
 * holds that thread for it (0.6–1.3 s per scored model of ResNet-50). A worker thread lets a run
 * optimise its later scored models while the main thread opens the first.
 */

/** The worker's whole code (evaluated, so it runs from the built package and from the sources alike). */
const WORKER_CODE = `
const { parentPort, workerData } = require('node:worker_threads');
const ort = require(workerData.onnxruntime);
ort.InferenceSession.create(workerData.bytes, workerData.options)
  .then((session) => session.release())
  .then(() => parentPort.postMessage(null), (err) => parentPort.postMessage(String((err && err.message) || err)));
`;

let onnxruntimePath: string | null = null;

/**
 * Creates and releases a session on `bytes` in a worker thread, with the session options a run
 * uses (`sessionOptions`) under `extra`: for its side effects, such as the optimised model saved
 * at `extra.optimizedModelFilePath`. `bytes` may be moved to the worker: it must not be used
 * after the call.
 *
 * @throws when onnxruntime refuses the model or the worker fails
 */
export async function createSessionInWorker(bytes: Uint8Array, runtime: RuntimeOptions, extra: ort.InferenceSession.SessionOptions): Promise<void> {
  onnxruntimePath ??= createRequire(import.meta.url).resolve('onnxruntime-node');
  // A profile would describe the optimisation, not the run.
  const { enableProfiling: _p, profileFilePrefix: _f, ...options } = { ...sessionOptions(runtime), ...extra };
  // Moved when the bytes are a whole buffer of their own (never a view into Node's shared Buffer pool), else copied.
  const own = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer;
  const worker = new Worker(WORKER_CODE, { eval: true, workerData: { onnxruntime: onnxruntimePath, bytes, options }, transferList: own ? [bytes.buffer as ArrayBuffer] : [] });
  try {
    await new Promise<void>((resolve, reject) => {
      worker.once('message', (failure: string | null) => (failure === null ? resolve() : reject(new Error(failure))));
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`the optimising worker exited with code ${code}`)));
    });
  } finally {
    await worker.terminate();
  }
}

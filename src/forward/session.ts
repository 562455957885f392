import os from 'node:os';
import { create } from '@bufbuild/protobuf';
import { ValueInfoProtoSchema, type ModelProto } from 'onnx-buf';
import { serialiseAppended } from '../onnx/serialise.js';
import * as ort from 'onnxruntime-node';
import { messages } from '../messages.js';

/** How sessions are created: thread count (all cores by default) and execution provider. */
export interface RuntimeOptions {
  readonly threads?: number;
  readonly device?: 'cpu' | 'cuda';
  /**
   * Writes onnxruntime's per-node trace (JSON, one file per session, named from this prefix) when
   * the session is released: for profiling the model and the metric graph (bench/metric-runs.ts).
   */
  readonly profilePrefix?: string;
}

/** Threads a run uses when none are given: every core. */
export function defaultThreads(): number {
  return os.availableParallelism();
}

/** Session options shared by model and metric sessions; fixed thread counts keep runs reproducible. */
export function sessionOptions(options: RuntimeOptions): ort.InferenceSession.SessionOptions {
  return {
    intraOpNumThreads: options.threads ?? defaultThreads(),
    interOpNumThreads: 1,
    executionProviders: [options.device === 'cuda' ? 'cuda' : 'cpu'],
    graphOptimizationLevel: 'all',
    // Fatal only: onnxruntime would also print a failing kernel's error to stderr itself, next to
    // the one-line message equiprobe makes of it.
    logSeverityLevel: 4,
    ...(options.profilePrefix ? { enableProfiling: true, profileFilePrefix: options.profilePrefix } : {}),
  };
}

/**
 * Opens an onnxruntime session on the model with `fetches` added as extra graph outputs.
 * onnxruntime accepts outputs named only by name and infers their shapes, which is how
 * intermediate tensors are read without rewriting the graph.
 *
 * @param proto - the parsed model (left unchanged)
 * @param fetches - tensor names to expose; existing outputs are kept
 * @param extra - session options over `sessionOptions`' (e.g. the optimisation level)
 */
export async function openSession(proto: ModelProto, fetches: readonly string[], options: RuntimeOptions = {}, extra: ort.InferenceSession.SessionOptions = {}): Promise<ort.InferenceSession> {
  const existing = new Set(proto.graph!.output.map((o) => o.name));
  const output = fetches.filter((f) => !existing.has(f)).map((name) => create(ValueInfoProtoSchema, { name }));
  // Used at once to create the session (which copies what it needs): the model's buffer may be reused.
  return createSession(serialiseAppended(proto, { output }, true), options, extra);
}

/** Creates a session from model bytes, turning onnxruntime's multi-line errors into one line. */
export async function createSession(bytes: Uint8Array, options: RuntimeOptions = {}, extra: ort.InferenceSession.SessionOptions = {}): Promise<ort.InferenceSession> {
  if (options.device === 'cuda' && !ort.listSupportedBackends().some((b) => b.name === 'cuda')) {
    throw new Error(messages.cudaUnavailable());
  }
  // onnxruntime's process-wide logger prints provider-load failures to stderr itself; equiprobe
  // reports every failure as its own one-line message instead.
  ort.env.logLevel = 'fatal';
  try {
    return await ort.InferenceSession.create(bytes, { ...sessionOptions(options), ...extra });
  } catch (err) {
    throw new Error(explainLoadError(err));
  }
}

/** The two load failures a researcher meets most (a too-new opset, an unknown operator), said plainly. */
function explainLoadError(err: unknown): string {
  const text = String((err as Error)?.message ?? err);
  // The CUDA provider is a separate library that onnxruntime-node only has when installed with it.
  if (/Cuda|CUDA|providers_shared|providers_cuda/.test(text)) return messages.cudaUnavailable();
  const opset = /Opset (\d+) is under development.*?support for domain (\S+) is till opset (\d+)/s.exec(text);
  if (opset) return messages.unsupportedOpset(opset[2], Number(opset[1]), Number(opset[3]));
  const op = /No Op registered for (\S+) with domain_version of (\d+)/.exec(text);
  if (op) return messages.unsupportedOperator(op[1], Number(op[2]));
  return messages.runtimeLoadFailed(shortenOrtError(err));
}

/** onnxruntime's messages carry file paths, line numbers and C++ signatures; keep the part a researcher can act on. */
export function shortenOrtError(err: unknown): string {
  const text = String((err as Error)?.message ?? err).split('\n')[0];
  return text
    .replace(/^\[ONNXRuntimeError\]\s*:\s*\d+\s*:\s*\w+\s*:\s*/, '')
    // "/onnxruntime_src/…/file.h:46 void onnxruntime::Fn(const T&, int) message" → "message", wherever it occurs
    .replace(/(?:\/[\w/.-]*|\b[\w-]+)\.(?:h|cc|cpp):\d+\s+(?:[\w:<>*&, ]*::[\w~]+\((?:[^()]|\([^()]*\))*\)\s*(?:const\s+)?)?/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 300);
}

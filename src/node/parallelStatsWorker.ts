// Worker side of parallelStats.ts: opens the model (and its external data, under the same
// containment rules as the main thread) itself, then runs the tensor passes it is sent, one at a
// time, posting progress and results on the port it was given. Every message is followed by a
// bump of the shared counter so a main thread blocked in Atomics.wait wakes up.
import { workerData, type MessagePort } from 'node:worker_threads';
import { runTensorPass } from '../core/analysis/tensorPass';
import { ExternalDataError, TensorDecodeError } from '../core/errors';
import { tensorValueChunks, type TensorDataContext } from '../core/onnx/tensorValues';
import { createExternalDataHost } from './externalDataHost';
import { openFileSource } from './fileSource';
import type { TensorPassJob } from '../core/analysis/tensorPass';
import type { SerializedError, ToMain, ToWorker } from './parallelStats';

interface WorkerInit {
  readonly modelPath: string;
  readonly port: MessagePort;
  readonly flag: SharedArrayBuffer;
  /** Post a progress message at most every this many elements. */
  readonly progressElements: number;
}

/** runTensorPass consumes each chunk before pulling the next: one decode buffer per pass. */
const PASS_VALUES = { reuseBuffer: true } as const;
const init = workerData as WorkerInit;
const flag = new Int32Array(init.flag);
let opened: { source: ReturnType<typeof openFileSource>; ctx: TensorDataContext } | undefined;
let openError: unknown;
try {
  const source = openFileSource(init.modelPath);
  opened = { source, ctx: { model: source, external: createExternalDataHost(init.modelPath) } };
} catch (e) {
  openError = e;
}

function post(message: ToMain): void {
  init.port.postMessage(message);
  Atomics.add(flag, 0, 1);
  Atomics.notify(flag, 0);
}

function* denseChunks(job: TensorPassJob, ctx: TensorDataContext): Generator<Float64Array> {
  // Sparse tensors: the stored values, then the implicit zeros up to the dense size.
  let n = 0;
  for (const c of tensorValueChunks(job.tensor, ctx, PASS_VALUES)) {
    n += c.length;
    yield c;
  }
  const left0 = Math.max(0, (job.denseCount ?? n) - n);
  const zeros = new Float64Array(Math.min(1 << 16, left0));
  for (let left = left0; left > 0; left -= zeros.length) yield left >= zeros.length ? zeros : zeros.subarray(0, left);
}

function serialize(e: unknown): SerializedError {
  if (e instanceof TensorDecodeError) return { kind: 'tensor', message: e.message, tensor: e.tensor, rule: e.rule };
  if (e instanceof ExternalDataError) return { kind: 'external', message: e.message, location: e.location, rule: e.rule };
  return { kind: 'other', message: e instanceof Error ? e.message : String(e) };
}

function run(id: number, job: TensorPassJob): void {
  let pending = 0;
  try {
    if (opened === undefined) throw openError;
    const ctx = opened.ctx;
    const chunks = job.denseCount !== undefined ? () => denseChunks(job, ctx) : () => tensorValueChunks(job.tensor, ctx, PASS_VALUES);
    const result = runTensorPass({
      ...job.input,
      chunks,
      onElements: (n) => {
        pending += n;
        if (pending >= init.progressElements) {
          post({ type: 'progress', elements: pending });
          pending = 0;
        }
      },
    });
    if (pending > 0) post({ type: 'progress', elements: pending });
    post({ type: 'done', id, result });
  } catch (e) {
    if (pending > 0) post({ type: 'progress', elements: pending });
    post({ type: 'failed', id, error: serialize(e) });
  }
}

init.port.on('message', (m: ToWorker) => {
  if (m.type === 'job') run(m.id, m.job);
  else {
    opened?.source.close();
    init.port.close();
  }
});
// A bug here must not leave the main thread waiting for a dead worker.
process.on('uncaughtException', (e) => post({ type: 'fatal', error: serialize(e) }));
post({ type: 'ready' });
